using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using VoiceMesh.Recordings.Storage;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// What every recording storage backend promises, checked against the real store (a folder, Azurite, s3rver) through
/// the service's own registration (<c>AddRecordingStorage</c> with <c>BlobStorage:*</c> settings): streamed writes of
/// several parts read back byte-identical with their SHA-256, metadata, range reads, no blob after a failed write, a
/// second write replacing the first, Exists and Delete. Bytes read back are compared, never just status codes.
/// </summary>
public abstract class RecordingStorageContract : IAsyncLifetime
{
    /// <summary>More than two parts of every backend (S3 5 MiB, Azure 4 MiB), and not a multiple of either.</summary>
    private const int LargeSize = (12 * 1024 * 1024) + 654_321;

    private const string AccountSid = "AC00000000000000000000000000000001";

    private ServiceProvider _provider = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected IRecordingStorage Storage { get; private set; } = null!;

    protected IServiceProvider Services => _provider;

    /// <summary>The <c>BlobStorage:*</c> settings of the backend under test.</summary>
    protected abstract Task<Dictionary<string, string?>> Settings();

    /// <summary>The content type and metadata as the store itself keeps them.</summary>
    protected abstract Task<StoredProperties> ReadProperties(string key);

    /// <summary>Every key the store holds under <paramref name="prefix"/>.</summary>
    protected abstract Task<IReadOnlyList<string>> Keys(string prefix);

    /// <summary>Checks, where the backend has them, that a failed write left no half-written upload or temporary file.</summary>
    protected abstract Task AssertNothingUnfinished(string key);

    public async ValueTask InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(await Settings()).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<IHostEnvironment>(new HostingEnvironment { ContentRootPath = Path.GetTempPath(), EnvironmentName = "Test" });
        services.AddRecordingStorage(configuration);
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Storage = _provider.GetRequiredService<IRecordingStorage>();
        OnStarted();
    }

    /// <summary>Called once the backend is resolved, before the test.</summary>
    protected virtual void OnStarted()
    {
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        OnDisposed();
        GC.SuppressFinalize(this);
    }

    /// <summary>Called after the backend was disposed, to remove what the test class made.</summary>
    protected virtual void OnDisposed()
    {
    }

    protected static (string Key, RecordingBlobMetadata Metadata) NewRecording()
    {
        var callSid = "CA" + Guid.NewGuid().ToString("N");
        var recordingSid = "RE" + Guid.NewGuid().ToString("N");
        return (RecordingBlobs.Key(AccountSid, callSid, recordingSid), new RecordingBlobMetadata(AccountSid, callSid, null, recordingSid, "audio/wav"));
    }

    private static string Prefix(string key) => key[..(key.LastIndexOf('/') + 1)];

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private async Task<byte[]?> ReadAll(string key)
    {
        await using var stream = await Storage.OpenRead(key, Ct);
        if (stream is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }

    [Fact]
    public async Task A_streamed_write_of_several_parts_reads_back_byte_identical_with_its_sha256_size_and_metadata()
    {
        var (key, metadata) = NewRecording();
        var bytes = RandomNumberGenerator.GetBytes(LargeSize);

        var blob = await Storage.Write(key, new TrickleStream(bytes), metadata, Ct);

        Assert.Equal(key, blob.Key);
        Assert.Equal(LargeSize, blob.SizeBytes);
        Assert.Equal(Sha256(bytes), blob.Sha256);
        Assert.Equal("audio/wav", blob.ContentType);
        var read = await ReadAll(key);
        Assert.NotNull(read);
        Assert.Equal(LargeSize, read.Length);
        Assert.Equal(Sha256(bytes), Sha256(read));
        Assert.True(bytes.AsSpan().SequenceEqual(read), "the bytes read back differ from the bytes written");
        var properties = await ReadProperties(key);
        Assert.Equal("audio/wav", properties.ContentType);
        Assert.Equal(Sha256(bytes), properties.Metadata["sha256"]);
        Assert.Equal(metadata.CallSid, properties.Metadata["callsid"]);
        Assert.Equal(metadata.RecordingSid, properties.Metadata["recordingsid"]);
    }

    [Fact]
    public async Task A_small_recording_round_trips_with_its_metadata()
    {
        var (key, metadata) = NewRecording();
        var bytes = RandomNumberGenerator.GetBytes(32_044);

        var blob = await Storage.Write(key, new TrickleStream(bytes), metadata, Ct);

        Assert.Equal(Sha256(bytes), blob.Sha256);
        Assert.Equal(bytes, await ReadAll(key));
        var properties = await ReadProperties(key);
        Assert.Equal("audio/wav", properties.ContentType);
        Assert.Equal(Sha256(bytes), properties.Metadata["sha256"]);
        Assert.Equal(metadata.CallSid, properties.Metadata["callsid"]);
        Assert.Equal(metadata.RecordingSid, properties.Metadata["recordingsid"]);
    }

    [Fact]
    public async Task A_range_read_returns_the_bytes_of_that_range()
    {
        var (key, metadata) = NewRecording();
        var bytes = RandomNumberGenerator.GetBytes(LargeSize);
        await Storage.Write(key, new TrickleStream(bytes), metadata, Ct);

        await using var stream = await Storage.OpenRead(key, Ct);

        Assert.NotNull(stream);
        Assert.True(stream.CanSeek);
        Assert.Equal(LargeSize, stream.Length);
        // Across the first S3 part boundary, then the end, then back to the start.
        foreach (var (offset, length) in new[] { ((5 * 1024 * 1024) - 1000, 3000), (LargeSize - 17, 17), (0, 12) })
        {
            stream.Seek(offset, SeekOrigin.Begin);
            var range = new byte[length];
            await stream.ReadExactlyAsync(range, Ct);
            Assert.Equal(bytes.AsSpan(offset, length).ToArray(), range);
            Assert.Equal(offset + length, stream.Position);
        }
    }

    [Fact]
    public async Task A_write_whose_source_fails_halfway_leaves_no_blob()
    {
        var (key, metadata) = NewRecording();
        var bytes = RandomNumberGenerator.GetBytes(LargeSize);

        await Assert.ThrowsAsync<IOException>(() => Storage.Write(key, new TrickleStream(bytes, failAfter: 7 * 1024 * 1024), metadata, Ct));

        Assert.False(await Storage.Exists(key, Ct));
        Assert.Null(await Storage.OpenRead(key, Ct));
        Assert.Empty(await Keys(Prefix(key)));
        await AssertNothingUnfinished(key);
    }

    [Fact]
    public async Task Writing_a_key_twice_leaves_one_blob_with_the_second_content()
    {
        var (key, metadata) = NewRecording();
        var first = RandomNumberGenerator.GetBytes(6 * 1024 * 1024);
        var second = RandomNumberGenerator.GetBytes(1_000_003);

        await Storage.Write(key, new TrickleStream(first), metadata, Ct);
        var blob = await Storage.Write(key, new TrickleStream(second), metadata, Ct);

        Assert.Equal(second.Length, blob.SizeBytes);
        Assert.Equal(second, await ReadAll(key));
        Assert.Equal([key], await Keys(Prefix(key)));
        Assert.Equal(Sha256(second), (await ReadProperties(key)).Metadata["sha256"]);
    }

    [Fact]
    public async Task A_deleted_blob_is_gone_and_deleting_a_missing_key_is_harmless()
    {
        var (key, metadata) = NewRecording();
        var (neverWritten, _) = NewRecording();
        await Storage.Write(key, new MemoryStream([1, 2, 3]), metadata, Ct);
        Assert.True(await Storage.Exists(key, Ct));

        await Storage.Delete(key, Ct);
        await Storage.Delete(key, Ct);
        await Storage.Delete(neverWritten, Ct);

        Assert.False(await Storage.Exists(key, Ct));
        Assert.Null(await Storage.OpenRead(key, Ct));
        Assert.Empty(await Keys(Prefix(key)));
        Assert.False(await Storage.Exists(neverWritten, Ct));
    }

    /// <summary>The container or bucket a test class uses (a class fixture, so every test of the class shares it).</summary>
    public sealed class Bucket
    {
        public string Name { get; } = TestInfrastructure.NewBucketName("contract");
    }

    /// <summary>A store's own view of a blob: its content type and metadata (names lower-case).</summary>
    protected sealed record StoredProperties(string? ContentType, IReadOnlyDictionary<string, string> Metadata);

    /// <summary>
    /// A download as the archiver sees one: not seekable, of unknown length, arriving in uneven pieces; optionally
    /// failing like a dropped connection once <c>failAfter</c> bytes were read.
    /// </summary>
    private sealed class TrickleStream(byte[] bytes, int failAfter = int.MaxValue) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= failAfter)
            {
                throw new IOException("connection reset mid-download");
            }

            var piece = Math.Min(Math.Min(buffer.Length, 1 + (_position % 50_000)), Math.Min(bytes.Length, failAfter) - _position);
            bytes.AsSpan(_position, piece).CopyTo(buffer);
            _position += piece;
            return piece;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
