using System.Buffers.Binary;
using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Processing;

/// <summary>
/// Writes each track of one stream to its own WAV file as the frames arrive (16-bit PCM, 8 kHz, mono), through a
/// buffered file so the stream's processing task does not wait on the disk for every frame. A gap in the media
/// timestamps (lost frames) is filled with silence up to <c>maxGap</c>, so the file keeps the call's timeline; a frame
/// more than a frame behind what was written (a late or repeated one) is left out, and a few milliseconds of jitter
/// either way are not gaps. The header's sizes are written when the stream ends.
/// </summary>
internal sealed partial class WavRecorderProcessor(StreamContext stream, string directory, TimeSpan maxGap, ILogger logger)
    : IMediaProcessor, IDisposable
{
    private const int SampleRate = 8000;
    private const int SamplesPerMs = SampleRate / 1000;

    private readonly Dictionary<MediaTrack, TrackFile> _tracks = [];

    public ValueTask Process(MediaTrack track, long timestampMs, ReadOnlySpan<short> pcm, ReadOnlySpan<byte> muLaw)
    {
        if (!_tracks.TryGetValue(track, out var file))
        {
            file = new TrackFile(Path.Combine(directory, $"{stream.StreamSid}.{track.ToWire()}.wav"));
            _tracks[track] = file;
        }

        file.Write(timestampMs, pcm, (long)maxGap.TotalMilliseconds);
        return ValueTask.CompletedTask;
    }

    public void Complete()
    {
        foreach (var (track, file) in _tracks)
        {
            file.Dispose();
            var wire = track.ToWire();
            var durationMs = file.Samples / SamplesPerMs;
            LogRecorded(stream.StreamSid, stream.CallSid, wire, file.Path, durationMs);
        }

        _tracks.Clear();
    }

    /// <summary>A stream that ended without <see cref="Complete"/> (its processing failed) still leaves readable files.</summary>
    public void Dispose()
    {
        foreach (var file in _tracks.Values)
        {
            file.Dispose();
        }

        _tracks.Clear();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamSid} of call {CallSid}: track {Track} recorded to {Path}, {DurationMs} ms")]
    private partial void LogRecorded(string streamSid, string callSid, string track, string path, long durationMs);

    /// <summary>One track's file: the header, then the samples in timestamp order; disposing it writes the header's sizes.</summary>
    private sealed class TrackFile : IDisposable
    {
        private const int HeaderBytes = 44;
        private readonly FileStream _file;
        private readonly byte[] _buffer = new byte[320];

        public TrackFile(string path)
        {
            Path = path;
            _file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, bufferSize: 64 * 1024);
            _file.Write(Header(0));
        }

        public string Path { get; }

        /// <summary>Samples written so far (the track's duration at 8 kHz).</summary>
        public long Samples { get; private set; }

        public void Write(long timestampMs, ReadOnlySpan<short> pcm, long maxGapMs)
        {
            var frameMs = pcm.Length / SamplesPerMs;
            var writtenMs = Samples / SamplesPerMs;
            if (timestampMs < writtenMs - frameMs)
            {
                return;
            }

            var gapMs = timestampMs - writtenMs;
            if (gapMs >= frameMs)
            {
                Array.Clear(_buffer);
                for (var silence = Math.Min(gapMs, maxGapMs) * SamplesPerMs; silence > 0; silence -= _buffer.Length / 2)
                {
                    var count = (int)Math.Min(silence, _buffer.Length / 2);
                    _file.Write(_buffer, 0, count * 2);
                    Samples += count;
                }
            }

            while (!pcm.IsEmpty)
            {
                var chunk = pcm[..Math.Min(pcm.Length, _buffer.Length / 2)];
                for (var i = 0; i < chunk.Length; i++)
                {
                    BinaryPrimitives.WriteInt16LittleEndian(_buffer.AsSpan(i * 2), chunk[i]);
                }

                _file.Write(_buffer, 0, chunk.Length * 2);
                Samples += chunk.Length;
                pcm = pcm[chunk.Length..];
            }
        }

        public void Dispose()
        {
            _file.Position = 0;
            _file.Write(Header(Samples * 2));
            _file.Dispose();
        }

        /// <summary>The canonical 44-byte RIFF/WAVE header of 16-bit PCM, 8 kHz, mono, for <paramref name="dataBytes"/> of samples.</summary>
        private static byte[] Header(long dataBytes)
        {
            var header = new byte[HeaderBytes];
            var span = header.AsSpan();
            "RIFF"u8.CopyTo(span);
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(36 + dataBytes));
            "WAVEfmt "u8.CopyTo(span[8..]);
            BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
            BinaryPrimitives.WriteUInt16LittleEndian(span[20..], 1);
            BinaryPrimitives.WriteUInt16LittleEndian(span[22..], 1);
            BinaryPrimitives.WriteUInt32LittleEndian(span[24..], SampleRate);
            BinaryPrimitives.WriteUInt32LittleEndian(span[28..], SampleRate * 2);
            BinaryPrimitives.WriteUInt16LittleEndian(span[32..], 2);
            BinaryPrimitives.WriteUInt16LittleEndian(span[34..], 16);
            "data"u8.CopyTo(span[36..]);
            BinaryPrimitives.WriteUInt32LittleEndian(span[40..], (uint)dataBytes);
            return header;
        }
    }
}
