using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.CallRecordings;

/// <summary>Links a recording to its call; pure, so it is tested without a database.</summary>
public static class CallRecordingDecision
{
    /// <summary>
    /// The furthest status wins (purged is final), so redelivered and out-of-order events change nothing. A call the
    /// service has no stream for is not created from a recording: nothing is appended.
    /// </summary>
    public static Decision Decide(Call? call, CallRecordingLinked linked)
    {
        if (call is null)
        {
            return Decision.None;
        }

        return call.Recordings.Exists(r => r.RecordingSid == linked.RecordingSid && r.Status >= linked.Status)
            ? Decision.None
            : new object[] { linked };
    }
}
