using Amazon.S3;
using Amazon.S3.Model;

namespace VoiceMesh.Recordings.Storage;

/// <summary>
/// A read-only, seekable stream over one S3 object version (its ETag), read through ranged GETs of at most
/// <see cref="Window"/> bytes: a sequential read costs one GET per window, a seek drops the open response and the next
/// read starts a GET at the new position, so a range request fetches little more than its range. An object replaced
/// while it is read fails the next GET (412) rather than mixing two versions.
/// </summary>
internal sealed class S3RangeReadStream(IAmazonS3 s3, string bucket, string key, long length, string etag) : Stream
{
    public const int Window = 8 * 1024 * 1024;

    private GetObjectResponse? _response;
    private long _position;
    private long _responseEnd;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= length || buffer.Length == 0)
        {
            return 0;
        }

        if (_response is null || _position >= _responseEnd)
        {
            _response?.Dispose();
            _responseEnd = Math.Min(_position + Window, length);
            _response = await s3.GetObjectAsync(new GetObjectRequest
            {
                BucketName = bucket,
                Key = key,
                EtagToMatch = etag,
                ByteRange = new ByteRange(_position, _responseEnd - 1),
            }, cancellationToken);
        }

        var wanted = (int)Math.Min(buffer.Length, _responseEnd - _position);
        var read = await _response.ResponseStream.ReadAsync(buffer[..wanted], cancellationToken);
        if (read == 0)
        {
            throw new IOException($"s3://{bucket}/{key} ended at byte {_position} of {length}.");
        }

        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        if (target != _position)
        {
            _response?.Dispose();
            _response = null;
            _position = target;
        }

        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _response?.Dispose();
            _response = null;
        }

        base.Dispose(disposing);
    }
}
