using System.Collections.Immutable;
using VoiceMesh.Contracts.MediaStreams;
using VoiceMesh.MediaStreams.Protocol;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Lifecycle;

/// <summary>A speech segment on a track; <see cref="StopMs"/> is null while it lasts.</summary>
public sealed record SpeechSegment(MediaTrack Track, long StartMs, long? StopMs);

public sealed record DigitHeard(string Digit, long OffsetMs);

public sealed record SilenceHeard(MediaTrack Track, long SinceOffsetMs, long DurationMs);

/// <summary>
/// One stream (keyed by StreamSid) and the document its read model is served from. Nothing is appended before the
/// stream opened (except the refusal of a duplicate) or after it closed, and it closes once.
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

    /// <summary>The stream's lifecycle events, each decided on its own: appended only while the stream is open.</summary>
    public static Decision Decide(StreamLifecycle? stream, object observed) => observed switch
    {
        StreamOpened => stream is null ? new[] { observed } : Decision.None,
        StreamClosed { Reason: CloseReason.Duplicate } => stream is null ? new[] { observed } : Decision.None,
        StreamClosed => stream is { Closed: null } ? new[] { observed } : Decision.None,
        _ => stream is { Closed: null } ? new[] { observed } : Decision.None,
    };

    public static StreamLifecycle Create(StreamOpened e) => new()
    {
        Id = e.StreamSid,
        CallSid = e.CallSid,
        AccountSid = e.AccountSid,
        Tracks = [.. e.Tracks],
        CustomParameters = e.CustomParameters.ToImmutableDictionary(),
        OpenedAt = e.OpenedAt,
    };

    public static StreamLifecycle Create(StreamClosed e) => new() { Id = e.StreamSid, CallSid = e.CallSid, Closed = e };

    public StreamLifecycle Apply(SpeechBegan e) => this with { Speech = Speech.Add(new SpeechSegment(e.Track, e.OffsetMs, null)) };

    public StreamLifecycle Apply(SpeechEnded e)
    {
        var open = Speech.FindLastIndex(s => s.Track == e.Track && s.StopMs is null);
        return open < 0 ? this : this with { Speech = Speech.SetItem(open, Speech[open] with { StopMs = e.OffsetMs }) };
    }

    public StreamLifecycle Apply(DigitPressed e) => this with { Digits = Digits.Add(new DigitHeard(e.Digit, e.OffsetMs)) };

    public StreamLifecycle Apply(DeadAir e) => this with { Silences = Silences.Add(new SilenceHeard(e.Track, e.SinceOffsetMs, e.DurationMs)) };

    public StreamLifecycle Apply(StreamClosed e) => this with { Closed = e };
}
