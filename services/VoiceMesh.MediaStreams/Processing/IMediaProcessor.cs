using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Processing;

/// <summary>What a processor knows about the stream it serves.</summary>
public sealed record StreamContext(string StreamSid, string CallSid, IReadOnlyList<MediaTrack> Tracks, IReadOnlyDictionary<string, string> CustomParameters);

/// <summary>Where processors report what they observed (the stream's lifecycle events), in order.</summary>
public interface IStreamObserver
{
    void Observe(object observed);
}

/// <summary>
/// One live audio processor of one stream (VAD, transcription, a bot engine...). It is called one frame at a time in
/// arrival order (the next frame only once the previous one's task completed), so it needs no locking; it must not
/// block.
/// </summary>
public interface IMediaProcessor
{
    /// <summary>
    /// One 20 ms frame (usually) of a track: its media timestamp, the decoded PCM and the original mu-law. The spans are
    /// valid until the call returns, not until its task completes; the frame counts as processed when the task does.
    /// </summary>
    ValueTask Process(MediaTrack track, long timestampMs, ReadOnlySpan<short> pcm, ReadOnlySpan<byte> muLaw);

    /// <summary>The stream ended: report whatever is still open.</summary>
    void Complete();
}

/// <summary>Makes a stream's processor, or none when it does not apply to the stream. Registered in DI, one per kind.</summary>
public interface IMediaProcessorFactory
{
    IMediaProcessor? Create(StreamContext stream, IStreamObserver observer);
}
