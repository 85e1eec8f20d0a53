using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using VoiceMesh.Recordings.Storage;

namespace VoiceMesh.Recordings.Tests;

/// <summary>
/// <c>BlobStorage:Azure:EncryptionScope</c> reaches the wire on every write. Azurite accepts the header and ignores it,
/// so a hand-made blob endpoint (an <see cref="HttpListener"/> answering 201) records what the backend sends.
/// </summary>
public sealed class AzureEncryptionScopeSpecs : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<(string Query, string? Scope, string? DefaultScope)> _requests = [];
    private readonly int _port;

    public AzureEncryptionScopeSpecs()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            _port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _listener.Start();
        _ = Answer();
    }

    public void Dispose() => _listener.Close();

    private async Task Answer()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            lock (_requests)
            {
                _requests.Add((context.Request.Url!.Query.TrimStart('?').Split('&')[0],
                    context.Request.Headers["x-ms-encryption-scope"], context.Request.Headers["x-ms-default-encryption-scope"]));
            }

            await context.Request.InputStream.CopyToAsync(Stream.Null);
            context.Response.StatusCode = (int)HttpStatusCode.Created;
            context.Response.Headers["ETag"] = "\"0x8D0000000000001\"";
            context.Response.Headers["Last-Modified"] = "Mon, 30 Nov 2026 04:25:00 GMT";
            context.Response.Close();
        }
    }

    [Fact]
    public async Task The_configured_encryption_scope_goes_with_every_block_and_the_commit_and_is_the_new_containers_default()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BlobStorage:Backend"] = "azure",
            ["BlobStorage:Azure:ConnectionString"] =
                $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{_port}/devstoreaccount1;",
            ["BlobStorage:Azure:Container"] = "recordings",
            ["BlobStorage:Azure:EncryptionScope"] = "recordings-scope",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddSingleton<IHostEnvironment>(new Environment());
        services.AddRecordingStorage(configuration);
        await using var provider = services.BuildServiceProvider();
        var storage = provider.GetRequiredService<IRecordingStorage>();

        var blob = await storage.Write(
            "AC1/CA1/RE1.wav", new MemoryStream(new byte[AzureBlobRecordingStorage.BlockSize + 10]), new RecordingBlobMetadata("AC1", "CA1", null, "RE1", "audio/wav"),
            TestContext.Current.CancellationToken);

        Assert.Equal(new Uri($"http://127.0.0.1:{_port}/devstoreaccount1/recordings/AC1/CA1/RE1.wav"), blob.Uri);
        lock (_requests)
        {
            Assert.Equal(
                [("restype=container", null, "recordings-scope"), ("comp=block", "recordings-scope", null),
                    ("comp=block", "recordings-scope", null), ("comp=blocklist", "recordings-scope", null)],
                _requests);
        }
    }

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "VoiceMesh.Recordings.Tests";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
