namespace VoiceMesh.Testing;

/// <summary>s3rver on 127.0.0.1, run by <c>deploy/local/s3rver.sh</c> (which installs it with npm when missing).</summary>
public sealed class LocalS3rver : IAsyncDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);
    private readonly string _directory;

    private LocalS3rver(string directory, S3Endpoint endpoint)
    {
        _directory = directory;
        Endpoint = endpoint;
    }

    public S3Endpoint Endpoint { get; }

    public static async Task<LocalS3rver> StartNew()
    {
        var directory = Directory.CreateTempSubdirectory("voicemesh-s3rver-").FullName;
        var output = await LocalScript.Start("deploy/local/s3rver.sh", "s3rver", "s3rver@3.7.1", directory, FreePort.Next(), ScriptTimeout);
        return new LocalS3rver(directory, S3Endpoint.Parse(output));
    }

    public async ValueTask DisposeAsync()
    {
        await ProcessRunner.Run(RepositoryPaths.Script("deploy/local/s3rver.sh"), ["stop", _directory], ScriptTimeout);
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>What an S3 client needs, as <c>deploy/local/s3rver.sh start</c> prints it (<c>ServiceUrl=...;Region=...;...</c>).</summary>
public sealed record S3Endpoint(Uri ServiceUrl, string Region, string AccessKey, string SecretKey, bool ForcePathStyle)
{
    public static S3Endpoint Parse(string settings)
    {
        var values = settings.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length == 2 ? pair[1] : "", StringComparer.OrdinalIgnoreCase);
        string Value(string name) => values.TryGetValue(name, out var value)
            ? value
            : throw new FormatException($"'{settings}' has no {name}= (expected ServiceUrl=...;Region=...;AccessKey=...;SecretKey=...;ForcePathStyle=...)");
        return new S3Endpoint(new Uri(Value("ServiceUrl")), Value("Region"), Value("AccessKey"), Value("SecretKey"), bool.Parse(Value("ForcePathStyle")));
    }
}
