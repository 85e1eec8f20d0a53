using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.CallStreams;

/// <summary>Records a call's media streams; pure, so it is tested without a database.</summary>
public static class CallStreamDecision
{
    /// <summary>
    /// Each part of a stream (its start, its end, its restart) is recorded once, in whatever order they arrive. A call the
    /// service has no stream for yet (a stream that opens before the call's first status callback) is created by it, so
    /// nothing is lost; its status callbacks move it on from there.
    /// </summary>
    public static Decision Decide(Call? call, object observed)
    {
        var known = observed switch
        {
            CallStreamStarted e => call?.Streams.Find(s => s.StreamSid == e.StreamSid)?.StartedAt is not null,
            CallStreamStopped e => call?.Streams.Find(s => s.StreamSid == e.StreamSid)?.StopReason is not null,
            CallStreamRestarted e => call?.Streams.Find(s => s.StreamSid == e.StreamSid)?.RestartedAs is not null,
            _ => throw new ArgumentException($"{observed.GetType().Name} is not a call stream event.", nameof(observed)),
        };
        return known ? Decision.None : new[] { observed };
    }
}
