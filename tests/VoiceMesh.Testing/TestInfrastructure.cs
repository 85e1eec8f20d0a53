using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Xunit;

namespace VoiceMesh.Testing;

/// <summary>
/// The real PostgreSQL and RabbitMQ a test run uses, started once per test assembly. In order of preference:
/// the servers named by <c>VOICEMESH_TEST_POSTGRES</c> / <c>VOICEMESH_TEST_RABBITMQ</c> (+ <c>_MANAGEMENT</c>),
/// containers where a Docker engine answers, or the local Debian binaries through <c>deploy/local/</c>.
/// Each test class isolates itself with its own Marten schema and RabbitMQ virtual host.
/// Blob storage servers start on first use, once per test assembly: Azurite (<c>VOICEMESH_TEST_AZURITE</c>, a connection
/// string, or <c>deploy/local/azurite.sh</c>) and s3rver (<c>VOICEMESH_TEST_S3</c>, in the form s3rver.sh prints, or
/// <c>deploy/local/s3rver.sh</c>); each test class uses a container or bucket of its own (<see cref="NewBucketName"/>).
/// </summary>
public sealed class TestInfrastructure : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly Lock _blobServers = new();
    private Task<string>? _azurite;
    private Task<S3Endpoint>? _s3;

    public string PostgresConnectionString { get; private set; } = "";

    public string RabbitMqUri { get; private set; } = "";

    public Uri RabbitMqManagementUri { get; private set; } = new("http://127.0.0.1:15672/");

    public async ValueTask InitializeAsync()
    {
        await Task.WhenAll(StartPostgres(), StartRabbitMq());
    }

    public async ValueTask DisposeAsync()
    {
        List<IAsyncDisposable> owned;
        lock (_blobServers)
        {
            owned = [.. _owned];
        }

        foreach (var server in owned)
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>The connection string of the Azurite this run shares, started on first use.</summary>
    public Task<string> AzuriteConnectionString()
    {
        lock (_blobServers)
        {
            return _azurite ??= StartAzurite();
        }
    }

    /// <summary>The s3rver this run shares, started on first use.</summary>
    public Task<S3Endpoint> S3Endpoint()
    {
        lock (_blobServers)
        {
            return _s3 ??= StartS3();
        }
    }

    /// <summary>A fresh container or bucket name, valid for Azure and S3 (lower-case letters, digits, '-').</summary>
    public static string NewBucketName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 17, 63)];

    private async Task<string> StartAzurite()
    {
        if (Environment.GetEnvironmentVariable("VOICEMESH_TEST_AZURITE") is { Length: > 0 } configured)
        {
            return configured;
        }

        var azurite = await LocalAzurite.StartNew();
        Own(azurite);
        return azurite.ConnectionString;
    }

    private async Task<S3Endpoint> StartS3()
    {
        if (Environment.GetEnvironmentVariable("VOICEMESH_TEST_S3") is { Length: > 0 } configured)
        {
            return VoiceMesh.Testing.S3Endpoint.Parse(configured);
        }

        var s3rver = await LocalS3rver.StartNew();
        Own(s3rver);
        return s3rver.Endpoint;
    }

    private void Own(IAsyncDisposable server)
    {
        lock (_blobServers)
        {
            _owned.Add(server);
        }
    }

    /// <summary>A fresh, unique schema name for one test class's Marten store.</summary>
    public static string NewSchemaName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)].ToLowerInvariant();

    /// <summary>Creates a virtual host only this caller uses and returns an amqp URI for it.</summary>
    public Task<string> CreateVirtualHostAsync() => CreateVirtualHostAsync(RabbitMqUri, RabbitMqManagementUri);

    public static async Task<string> CreateVirtualHostAsync(string amqpUri, Uri managementUri)
    {
        var vhost = "vm-" + Guid.NewGuid().ToString("N")[..12];
        using var http = ManagementClient(managementUri);
        (await http.PutAsync($"api/vhosts/{vhost}", null)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"api/permissions/{vhost}/guest", new { configure = ".*", write = ".*", read = ".*" }))
            .EnsureSuccessStatusCode();
        return new UriBuilder(amqpUri) { Path = "/" + vhost }.Uri.ToString();
    }

    public static HttpClient ManagementClient(Uri managementUri)
    {
        var http = new HttpClient { BaseAddress = managementUri, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
        return http;
    }

    private async Task StartPostgres()
    {
        if (Environment.GetEnvironmentVariable("VOICEMESH_TEST_POSTGRES") is { Length: > 0 } configured)
        {
            PostgresConnectionString = configured;
            return;
        }

        var server = await StartPostgresServer();
        Own(server);
        PostgresConnectionString = server.ConnectionString;
    }

    private async Task StartRabbitMq()
    {
        if (Environment.GetEnvironmentVariable("VOICEMESH_TEST_RABBITMQ") is { Length: > 0 } configured)
        {
            RabbitMqUri = configured;
            RabbitMqManagementUri = new Uri(Environment.GetEnvironmentVariable("VOICEMESH_TEST_RABBITMQ_MANAGEMENT")
                ?? throw new InvalidOperationException("VOICEMESH_TEST_RABBITMQ is set but VOICEMESH_TEST_RABBITMQ_MANAGEMENT is not."));
            return;
        }

        var node = await StartBrokerNode();
        Own(node);
        RabbitMqUri = node.AmqpUri;
        RabbitMqManagementUri = node.ManagementUri;
    }

    /// <summary>A broker only the caller uses, which it may stop and start: a container, or a local node.</summary>
    public static async Task<IBrokerNode> StartBrokerNode() =>
        (IBrokerNode?)await ContainerBrokerNode.TryStartNew() ?? await LocalRabbitMqNode.StartNew();

    /// <summary>A PostgreSQL server only the caller uses, which it may stop and start: a container, or a local cluster.</summary>
    public static async Task<IPostgresServer> StartPostgresServer() =>
        (IPostgresServer?)await ContainerPostgres.TryStartNew() ?? await LocalPostgres.StartNew();
}
