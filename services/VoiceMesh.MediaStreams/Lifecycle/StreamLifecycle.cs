using System.Collections.Immutable;
using VoiceMesh.Contracts.MediaStreams;
using VoiceMesh.MediaStreams.Playback;
using VoiceMesh.MediaStreams.Protocol;
using VoiceMesh.MediaStreams.Restart;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Lifecycle;

/// <summary>Where a stream stands in the read model: known only from Twilio's callbacks, open on the socket, or closed.</summary>
public enum StreamStatus
{
    Reported,
    Open,
    Closed,
}

/// <summary>The one conversion of <see cref="StreamStatus"/> to the read model's strings.</summary>
public static class StreamStatusWire
{
    public static string ToWire(this StreamStatus status) => status switch
    {
        StreamStatus.Reported => "reported",
        StreamStatus.Open => "open",
        StreamStatus.Closed => "closed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}

/// <summary>A speech segment on a track; <see cref="StopMs"/> is null while it lasts.</summary>
public sealed record SpeechSegment(MediaTrack Track, long StartMs, long? StopMs);

public sealed record DigitHeard(string Digit, long OffsetMs);

public sealed record SilenceHeard(MediaTrack Track, long SinceOffsetMs, long DurationMs);

/// <summary>A clip played on the stream: to its end, or cut short (with why and how much had played).</summary>
public sealed record ClipOutcome(string ClipId, InterruptReason? Interrupted, long PlayedMs, long? PlayedAtSpeechMs);

public sealed record TwilioReport(TwilioStreamEvent Event, string? Error, DateTimeOffset ReceivedAt);

/// <summary>
/// One stream (keyed by StreamSid) and the document its read model is served from. What the socket observed is appended
/// only while the stream is open (opened once, closed once; a refused duplicate is closed without opening); Twilio's
/// status callbacks are recorded whenever they come, before the socket's <c>start</c> too.
/// </summary>
public sealed record StreamLifecycle
{
    public required string Id { get; init; }
    public string? CallSid { get; init; }
    public string? AccountSid { get; init; }
    public ImmutableList<MediaTrack> Tracks { get; init; } = [];
    public ImmutableDictionary<string, string> CustomParameters { get; init; } = ImmutableDictionary<string, string>.Empty;
    public DateTimeOffset? OpenedAt { get; init; }
    public ImmutableList<SpeechSegment> Speech { get; init; } = [];
    public ImmutableList<DigitHeard> Digits { get; init; } = [];
    public ImmutableList<SilenceHeard> Silences { get; init; } = [];
    public StreamClosed? Closed { get; init; }
    public ImmutableList<TwilioReport> TwilioReports { get; init; } = [];
    public ImmutableList<ClipOutcome> Clips { get; init; } = [];

    /// <summary>Set when the socket dropped without <c>stop</c>: the restart asked for, and once known, what became of it.</summary>
    public RestartOutcome? Restart { get; init; }

    /// <summary>
    /// The stream's lifecycle events, each decided on its own: appended only while the stream is open. A stream whose
    /// socket dropped or closed without Twilio's <c>stop</c> asks for its restart in the same decision; what became of
    /// the restart is recorded once.
    /// </summary>
    public static Decision Decide(StreamLifecycle? stream, object observed) => observed switch
    {
        StreamReported => new[] { observed },
        StreamOpened or StreamClosed { Reason: CloseReason.Duplicate } => stream is { OpenedAt: not null } or { Closed: not null } ? Decision.None : new[] { observed },
        StreamClosed { Reason: CloseReason.Dropped or CloseReason.Closed } closed when stream is { OpenedAt: not null, Closed: null, CallSid: { } callSid } =>
            new object[] { closed, new StreamRestartRequested(stream.Id, callSid, stream.Tracks, stream.CustomParameters, closed.ClosedAt) },
        StreamRestarted or StreamRestartSkipped => stream is { Restart: { RestartedAs: null, Skipped: null } } ? new[] { observed } : Decision.None,
        _ => stream is { OpenedAt: not null, Closed: null } ? new[] { observed } : Decision.None,
    };

    public StreamStatus Status => Closed is not null ? StreamStatus.Closed : OpenedAt is not null ? StreamStatus.Open : StreamStatus.Reported;

    public static StreamLifecycle Create(StreamOpened e) => new StreamLifecycle { Id = e.StreamSid }.Apply(e);

    public static StreamLifecycle Create(StreamClosed e) => new StreamLifecycle { Id = e.StreamSid }.Apply(e);

    public static StreamLifecycle Create(StreamReported e) => new StreamLifecycle { Id = e.StreamSid }.Apply(e);

    public StreamLifecycle Apply(StreamOpened e) => this with
    {
        CallSid = e.CallSid,
        AccountSid = e.AccountSid,
        Tracks = [.. e.Tracks],
        CustomParameters = e.CustomParameters.ToImmutableDictionary(),
        OpenedAt = e.OpenedAt,
    };

    public StreamLifecycle Apply(StreamReported e) => this with
    {
        CallSid = CallSid ?? e.CallSid,
        TwilioReports = TwilioReports.Add(new TwilioReport(e.Event, e.Error, e.ReceivedAt)),
    };

    public StreamLifecycle Apply(SpeechBegan e) => this with { Speech = Speech.Add(new SpeechSegment(e.Track, e.OffsetMs, null)) };

    public StreamLifecycle Apply(SpeechEnded e)
    {
        var open = Speech.FindLastIndex(s => s.Track == e.Track && s.StopMs is null);
        return open < 0 ? this : this with { Speech = Speech.SetItem(open, Speech[open] with { StopMs = e.OffsetMs }) };
    }

    public StreamLifecycle Apply(DigitPressed e) => this with { Digits = Digits.Add(new DigitHeard(e.Digit, e.OffsetMs)) };

    public StreamLifecycle Apply(DeadAir e) => this with { Silences = Silences.Add(new SilenceHeard(e.Track, e.SinceOffsetMs, e.DurationMs)) };

    public StreamLifecycle Apply(ClipPlayed e) => this with { Clips = Clips.Add(new ClipOutcome(e.ClipId, null, e.PlayedMs, null)) };

    public StreamLifecycle Apply(ClipInterrupted e) => this with { Clips = Clips.Add(new ClipOutcome(e.ClipId, e.Reason, e.PlayedMs, e.PlayedAtSpeechMs)) };

    public StreamLifecycle Apply(StreamClosed e) => this with { CallSid = CallSid ?? e.CallSid, Closed = e };

    public StreamLifecycle Apply(StreamRestartRequested e) => this with { Restart = new RestartOutcome(e.DroppedAt, null, null, null) };

    public StreamLifecycle Apply(StreamRestarted e) => this with { Restart = new RestartOutcome(e.DroppedAt, e.RestartedAs, null, e.RestartedAt) };

    public StreamLifecycle Apply(StreamRestartSkipped e) => Restart is null ? this : this with { Restart = Restart with { Skipped = e.Reason, At = e.At } };
}
