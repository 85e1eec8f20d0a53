using System.Security.Cryptography;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VoiceMesh.Recordings.Storage;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Tests;

public sealed class FileSystemStorageSpecs : IDisposable
{
    private const string Key = "AC1/CA1/RE1.wav";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "voicemesh-storage-" + Guid.NewGuid().ToString("N"));
    private readonly FileSystemRecordingStorage _storage;
    private readonly RecordingBlobMetadata _metadata = new("AC1", "CA1", null, "RE1", "audio/wav");

    public FileSystemStorageSpecs() =>
        _storage = new FileSystemRecordingStorage(Options.Create(new BlobStorageOptions { Directory = _root }), new Environment(_root));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task A_written_blob_has_its_size_and_sha256_reads_back_byte_identical_and_carries_a_side_car()
    {
        var bytes = RandomNumberGenerator.GetBytes(200_000);

        var blob = await _storage.Write(Key, new MemoryStream(bytes), _metadata, TestContext.Current.CancellationToken);

        Assert.Equal(bytes.Length, blob.SizeBytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), blob.Sha256);
        Assert.Equal(Path.Combine(_root, "AC1", "CA1", "RE1.wav"), blob.Uri.LocalPath);
        Assert.StartsWith("file:///", blob.Uri.ToString(), StringComparison.Ordinal);
        await using var read = await _storage.OpenRead(Key, TestContext.Current.CancellationToken);
        using var copy = new MemoryStream();
        await read!.CopyToAsync(copy, TestContext.Current.CancellationToken);
        Assert.Equal(bytes, copy.ToArray());
        Assert.Contains(blob.Sha256, await File.ReadAllTextAsync(blob.Uri.LocalPath + ".json", TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_that_fails_midway_leaves_no_blob_and_no_temporary_file()
    {
        await Assert.ThrowsAsync<IOException>(() =>
            _storage.Write(Key, new FailingStream(), _metadata, TestContext.Current.CancellationToken));

        Assert.False(await _storage.Exists(Key, TestContext.Current.CancellationToken));
        Assert.Empty(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task The_temporary_file_a_crashed_writer_left_is_replaced_by_the_next_write_of_the_key()
    {
        var folder = Path.Combine(_root, "AC1", "CA1");
        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, ".RE1.wav.tmp"), RandomNumberGenerator.GetBytes(300_000), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, ".RE1.wav.tmp.json"), "{", TestContext.Current.CancellationToken);
        var bytes = RandomNumberGenerator.GetBytes(1000);

        var blob = await _storage.Write(Key, new MemoryStream(bytes), _metadata, TestContext.Current.CancellationToken);

        Assert.Equal(bytes, await File.ReadAllBytesAsync(blob.Uri.LocalPath, TestContext.Current.CancellationToken));
        Assert.Equal(["RE1.wav", "RE1.wav.json"], Directory.EnumerateFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_key_another_writer_is_writing_is_work_in_progress_and_that_writer_still_completes()
    {
        var first = RandomNumberGenerator.GetBytes(100_000);
        var release = new TaskCompletionSource();
        var writing = _storage.Write(Key, new HeldStream(first, release.Task), _metadata, TestContext.Current.CancellationToken);
        var temporary = Path.Combine(_root, "AC1", "CA1", ".RE1.wav.tmp");
        while (!File.Exists(temporary))
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        await Assert.ThrowsAsync<WorkInProgressException>(() =>
            _storage.Write(Key, new MemoryStream([1, 2, 3]), _metadata, TestContext.Current.CancellationToken));
        release.SetResult();
        var blob = await writing;

        Assert.Equal(first, await File.ReadAllBytesAsync(blob.Uri.LocalPath, TestContext.Current.CancellationToken));
        Assert.False(File.Exists(temporary));
    }

    [Fact]
    public async Task A_deleted_blob_no_longer_exists()
    {
        await _storage.Write(Key, new MemoryStream([1, 2, 3]), _metadata, TestContext.Current.CancellationToken);

        await _storage.Delete(Key, TestContext.Current.CancellationToken);

        Assert.False(await _storage.Exists(Key, TestContext.Current.CancellationToken));
        Assert.Null(await _storage.OpenRead(Key, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_key_leaving_the_storage_folder_is_refused() =>
        await Assert.ThrowsAsync<ArgumentException>(() =>
            _storage.Write("../../etc/passwd", new MemoryStream([1]), _metadata, TestContext.Current.CancellationToken));

    [Fact]
    public void Blob_names_are_account_call_recording_and_refuse_path_characters()
    {
        Assert.Equal("AC1/CA2/RE3.wav", RecordingBlobs.Key("AC1", "CA2", "RE3"));
        Assert.Equal("AC1/no-call/RE3.wav", RecordingBlobs.Key("AC1", null, "RE3"));
        Assert.Throws<ArgumentException>(() => RecordingBlobs.Key("AC1", "../x", "RE3"));
    }

    private sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "VoiceMesh.Recordings.Tests";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    /// <summary>Gives half its bytes at once and the rest once <paramref name="release"/> completes.</summary>
    private sealed class HeldStream(byte[] bytes, Task release) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => bytes.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= bytes.Length / 2)
            {
                await release.WaitAsync(cancellationToken);
            }

            var take = Math.Min(buffer.Length, (_position < bytes.Length / 2 ? bytes.Length / 2 : bytes.Length) - _position);
            bytes.AsMemory(_position, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class FailingStream : Stream
    {
        private int _reads;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) =>
            _reads++ == 0 ? count : throw new IOException("connection reset mid-download");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _reads++ == 0 ? ValueTask.FromResult(buffer.Length) : ValueTask.FromException<int>(new IOException("connection reset mid-download"));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
