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
/// </summary>
public sealed class TestInfrastructure : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];

    public string PostgresConnectionString { get; private set; } = "";

    public string RabbitMqUri { get; private set; } = "";

    public Uri RabbitMqManagementUri { get; private set; } = new("http://127.0.0.1:15672/");

    public async ValueTask InitializeAsync()
    {
        await Task.WhenAll(StartPostgres(), StartRabbitMq());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
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
        _owned.Add(server);
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
        _owned.Add(node);
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
