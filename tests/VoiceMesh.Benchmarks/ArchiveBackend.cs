using System.Security.Cryptography;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>The storage backends a recordings scenario can archive into (<c>--backend</c>).</summary>
internal enum BackendKind
{
    FileSystem,
}

/// <summary>The backends' names on the command line.</summary>
internal static class Backends
{
    private static readonly Dictionary<string, BackendKind> Kinds = new(StringComparer.Ordinal)
    {
        ["filesystem"] = BackendKind.FileSystem,
    };

    public static IEnumerable<string> Names => Kinds.Keys;

    public static BackendKind? Parse(string name) => Kinds.TryGetValue(name, out var kind) ? kind : null;

    public static string Name(BackendKind kind) => Kinds.First(k => k.Value == kind).Key;
}

/// <summary>A stored blob as read back: its size and SHA-256 (lower-case hex).</summary>
internal sealed record BlobDigest(long SizeBytes, string Sha256);

/// <summary>
/// The storage a recordings scenario archives into, as the benchmark sees it: the baseline's plain copy is written
/// with the same SDK or IO the Recordings service's backend uses, and every stored blob, the service's and the
/// baseline's, is read back to check its size and SHA-256.
/// </summary>
internal abstract class ArchiveBackend : IAsyncDisposable
{
    protected const int BufferSize = 81920;

    public abstract string Name { get; }

    /// <summary>What a plain copy does, for the report.</summary>
    public abstract string CopyDescription { get; }

    public static ArchiveBackend For(BackendKind kind, Mesh mesh) => kind switch
    {
        BackendKind.FileSystem => new FileSystemBackend(mesh),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such backend"),
    };

    /// <summary>Stores <paramref name="content"/> under <paramref name="key"/> as a plain copy; returns once the last byte is stored.</summary>
    public abstract Task<Uri> Copy(string key, Stream content, CancellationToken cancellationToken);

    /// <summary>Reads a stored blob (a service's <c>blobUri</c> or a copy's) to its end.</summary>
    public abstract Task<BlobDigest> Digest(Uri blob, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    protected static async Task<BlobDigest> Digest(Stream content, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        long size = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            size += read;
        }

        return new BlobDigest(size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}

/// <summary>
/// The filesystem backend: the service writes under the mesh's recordings folder; a plain copy is a
/// <see cref="FileStream"/> written as the service's backend writes (asynchronous, 80 KB buffer) and flushed to disk,
/// into a folder of its own beside it on the same filesystem.
/// </summary>
internal sealed class FileSystemBackend(Mesh mesh) : ArchiveBackend
{
    private readonly string _copies = mesh.RecordingsDirectory + "-baseline";

    public override string Name => "filesystem";

    public override string CopyDescription => "FileStream write (80 KB buffer, asynchronous), flushed to disk";

    public override async Task<Uri> Copy(string key, Stream content, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_copies, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
        await content.CopyToAsync(file, BufferSize, cancellationToken);
        await file.FlushAsync(cancellationToken);
        file.Flush(flushToDisk: true);
        return new Uri(path);
    }

    public override async Task<BlobDigest> Digest(Uri blob, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(blob.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous);
        return await Digest(file, cancellationToken);
    }

    public override ValueTask DisposeAsync()
    {
        if (Directory.Exists(_copies))
        {
            Directory.Delete(_copies, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
