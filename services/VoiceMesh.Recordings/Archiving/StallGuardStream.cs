namespace VoiceMesh.Recordings.Archiving;

/// <summary>
/// Reads a media body, giving up when no byte arrives for <paramref name="limit"/>: the HTTP pipeline's timeouts end
/// once the headers came (the body is read as a stream), so without this a download Twilio stops sending would hold
/// its archive command for ever. A stalled read throws <see cref="MediaUnavailableException"/>, an outage: the
/// command is held and tried again.
/// </summary>
public sealed class StallGuardStream(Stream inner, TimeSpan limit, TimeProvider clock) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    /// <summary>Not offered: a synchronous read could not be given up; every storage backend reads asynchronously.</summary>
    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("A media body is read asynchronously, so that a stalled download can be given up.");

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var stall = new CancellationTokenSource(limit, clock);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stall.Token);
        try
        {
            return await inner.ReadAsync(buffer, either.Token);
        }
        catch (OperationCanceledException) when (stall.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new MediaUnavailableException($"No media bytes came for {limit.TotalSeconds:0.#} s.");
        }
    }

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
