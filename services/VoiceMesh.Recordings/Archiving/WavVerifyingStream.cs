using System.Buffers.Binary;

namespace VoiceMesh.Recordings.Archiving;

/// <summary>
/// Passes a download through while checking it, without buffering it: the first 12 bytes must be a RIFF/WAVE
/// header, and at the end the byte count must equal both what the response declared (<c>Content-Length</c>) and
/// what the RIFF header declares (its chunk size + 8). A failed check throws
/// <see cref="RecordingVerificationException"/> from the read that found it, so the storage write is abandoned.
/// An HTML error page served with 200 is the known case; a connection closed before <c>Content-Length</c> bytes came
/// is one too.
/// </summary>
public sealed class WavVerifyingStream(Stream inner, long? declaredLength) : Stream
{
    private const int HeaderLength = 12;
    private readonly byte[] _header = new byte[HeaderLength];
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = inner.Read(buffer);
        }
        catch (HttpIOException e) when (e.HttpRequestError == HttpRequestError.ResponseEnded)
        {
            throw CutShort(e);
        }

        Inspect(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (HttpIOException e) when (e.HttpRequestError == HttpRequestError.ResponseEnded)
        {
            throw CutShort(e);
        }

        Inspect(buffer.Span[..read]);
        return read;
    }

    /// <summary>
    /// The connection closed before <c>Content-Length</c> bytes came: HttpClient reports that itself (an
    /// <see cref="HttpIOException"/>, the response ended) before this stream would see the end. Fewer bytes than
    /// declared, like any other size mismatch.
    /// </summary>
    private RecordingVerificationException CutShort(HttpIOException e) =>
        new(ArchiveFailureTypes.SizeMismatch, $"The media ended after {_read} bytes; the response declared {declaredLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "more"} ({e.Message})");

    private void Inspect(ReadOnlySpan<byte> chunk)
    {
        if (chunk.IsEmpty)
        {
            Finish();
            return;
        }

        if (_read < HeaderLength)
        {
            var take = (int)Math.Min(HeaderLength - _read, chunk.Length);
            chunk[..take].CopyTo(_header.AsSpan((int)_read));
            if (_read + take == HeaderLength && !IsWave(_header))
            {
                throw new RecordingVerificationException(ArchiveFailureTypes.NotAudio, "The media does not start with a RIFF/WAVE header (not audio).");
            }
        }

        _read += chunk.Length;
        if (declaredLength is { } declared && _read > declared)
        {
            throw new RecordingVerificationException(ArchiveFailureTypes.SizeMismatch, $"The media is longer than the {declared} bytes the response declared.");
        }
    }

    private void Finish()
    {
        if (_read < HeaderLength)
        {
            throw new RecordingVerificationException(ArchiveFailureTypes.NotAudio, $"The media ended after {_read} bytes, before a RIFF/WAVE header (not audio).");
        }

        if (declaredLength is { } declared && _read != declared)
        {
            throw new RecordingVerificationException(ArchiveFailureTypes.SizeMismatch, $"The media has {_read} bytes; the response declared {declared}.");
        }

        var riffLength = BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(4)) + 8L;
        if (riffLength != _read)
        {
            throw new RecordingVerificationException(ArchiveFailureTypes.SizeMismatch, $"The media has {_read} bytes; its RIFF header declares {riffLength}.");
        }
    }

    private static bool IsWave(ReadOnlySpan<byte> header) => header[..4].SequenceEqual("RIFF"u8) && header[8..12].SequenceEqual("WAVE"u8);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
