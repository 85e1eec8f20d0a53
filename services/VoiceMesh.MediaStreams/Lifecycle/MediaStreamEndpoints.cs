using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using VoiceMesh.Contracts.MediaStreams;
using VoiceMesh.MediaStreams.Playback;
using VoiceMesh.MediaStreams.Protocol;
using VoiceMesh.MediaStreams.Restart;
using VoiceMesh.MediaStreams.Streaming;

namespace VoiceMesh.MediaStreams.Lifecycle;

/// <summary>The read model <c>GET /api/media-streams/{streamSid}</c> answers with.</summary>
public sealed record MediaStreamResponse(
    string StreamSid,
    string? CallSid,
    string Status,
    IReadOnlyList<string> Tracks,
    IReadOnlyDictionary<string, string> CustomParameters,
    IReadOnlyList<SpeechResponse> Speech,
    IReadOnlyList<DigitResponse> Digits,
    IReadOnlyList<SilenceResponse> Silences,
    IReadOnlyList<ClipResponse> Clips,
    IReadOnlyList<string> TwilioEvents,
    string? CloseReason,
    IReadOnlyList<TrackStatistics> Statistics,
    long MalformedMessages,
    RestartResponse? Restart)
{
    public static MediaStreamResponse Of(StreamLifecycle stream) => new(
        stream.Id,
        stream.CallSid,
        stream.Status.ToWire(),
        [.. stream.Tracks.Select(t => t.ToWire())],
        stream.CustomParameters,
        [.. stream.Speech.Select(s => new SpeechResponse(s.Track.ToWire(), s.StartMs, s.StopMs))],
        [.. stream.Digits.Select(d => new DigitResponse(d.Digit, d.OffsetMs))],
        [.. stream.Silences.Select(s => new SilenceResponse(s.Track.ToWire(), s.SinceOffsetMs, s.DurationMs))],
        [.. stream.Clips.Select(c => new ClipResponse(c.ClipId, c.Interrupted?.ToWire(), c.PlayedMs, c.PlayedAtSpeechMs))],
        [.. stream.TwilioReports.Select(r => r.Event.ToWire())],
        stream.Closed?.Reason.ToWire(),
        stream.Closed?.Tracks ?? [],
        stream.Closed?.MalformedMessages ?? 0,
        stream.Restart is { } restart ? new RestartResponse(restart.DroppedAt, restart.RestartedAs, restart.Skipped?.ToWire(), restart.At) : null);
}

/// <summary>A stream that dropped without <c>stop</c>: the stream Twilio restarted it as, or why it was not (<c>call-ended</c>, <c>not-configured</c>, <c>refused</c>).</summary>
public sealed record RestartResponse(DateTimeOffset DroppedAt, string? RestartedAs, string? Skipped, DateTimeOffset? At);

public sealed record SpeechResponse(string Track, long StartMs, long? StopMs);

public sealed record DigitResponse(string Digit, long OffsetMs);

/// <summary>A clip played on the stream; <see cref="Interrupted"/> is <c>barge-in</c> or <c>stopped</c>, null when it played to its end.</summary>
public sealed record ClipResponse(string ClipId, string? Interrupted, long PlayedMs, long? PlayedAtSpeechMs);

public sealed record SilenceResponse(string Track, long SinceOffsetMs, long DurationMs);

/// <summary>
/// What this instance holds open right now, its frame processing latency since start (arrival to processed; the
/// percentiles, and the frames per 0.1 ms bucket so a load test can take the percentiles of a window) and the frames it dropped.
/// </summary>
public sealed record LiveStreamsResponse(
    int Connections,
    IReadOnlyList<string> Streams,
    long FramesProcessed,
    double FrameLatencyP50Ms,
    double FrameLatencyP99Ms,
    long FramesDropped,
    IReadOnlyList<LatencyCount> FrameLatencyCounts);

internal static class MediaStreamEndpoints
{
    public static RouteGroupBuilder MapMediaStreamEndpoints(this RouteGroupBuilder streams)
    {
        streams.MapGet("/live", (StreamRegistry registry, MediaStreamsMetrics metrics) =>
        {
            var counts = metrics.LatencyCounts();
            var (frames, p50) = MediaStreamsMetrics.Percentile(counts, 0.5);
            return TypedResults.Ok(new LiveStreamsResponse(
                registry.Connections, registry.Streams(), frames, p50, MediaStreamsMetrics.Percentile(counts, 0.99).Percentile, metrics.DroppedFrames, counts));
        });
        streams.MapGet("/{streamSid}", GetStream).WithName("GetMediaStream");
        return streams;
    }

    private static async Task<Results<Ok<MediaStreamResponse>, ProblemHttpResult>> GetStream(
        string streamSid, IQuerySession session, CancellationToken cancellationToken)
    {
        if (!StreamSids.IsValid(streamSid))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid stream sid", detail: StreamSids.Description);
        }

        var stream = await session.LoadAsync<StreamLifecycle>(streamSid, cancellationToken);
        return stream is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Media stream not found", detail: $"No media stream with sid {streamSid} is known.")
            : TypedResults.Ok(MediaStreamResponse.Of(stream));
    }
}
