using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using VoiceMesh.ServiceDefaults.Hosting;
using VoiceMesh.TwilioSimulator.Hosting;

namespace VoiceMesh.Testing;

/// <summary>
/// The NumberPool service as a process on its own RabbitMQ virtual host and Marten schema, with the Twilio simulator
/// in-process standing in for Twilio; its API is called directly (the gateway only routes <c>/api/numbers</c> to it).
/// </summary>
public sealed class NumberPoolService : IAsyncDisposable
{
    public const string AccountSid = "AC00000000000000000000000000000002";
    public const string AuthToken = "numberpool-auth-token";
    public const string PublicBaseUrl = "https://voice.example.test";

    private NumberPoolService(TwilioSimulatorHost simulator, ServiceProcess process, string postgres, string schema, string rabbitMqUri)
    {
        RabbitMqUri = rabbitMqUri;
        Simulator = simulator;
        Process = process;
        Postgres = postgres;
        Schema = schema;
        Client = new HttpClient { BaseAddress = process.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    private ServiceProcess? _gateway;

    public TwilioSimulatorHost Simulator { get; }

    public ServiceProcess Process { get; }

    public string Postgres { get; }

    public string Schema { get; }

    public HttpClient Client { get; }

    /// <summary>The service's RabbitMQ virtual host (amqp URI).</summary>
    public string RabbitMqUri { get; }

    /// <param name="timeScale">The simulator's clock scale (0.01: a call's ringing and talk pass a hundred times faster).</param>
    public static async Task<NumberPoolService> Start(
        TestInfrastructure infrastructure, IReadOnlyDictionary<string, string>? settings = null, double timeScale = 1)
    {
        var simulator = await TwilioSimulatorHost.StartAsync(new SimulatorOptions { AccountSid = AccountSid, AuthToken = AuthToken, TimeScale = timeScale });
        var schema = TestInfrastructure.NewSchemaName("numberpool");
        var rabbitMqUri = await infrastructure.CreateVirtualHostAsync();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = infrastructure.PostgresConnectionString,
            ["ConnectionStrings__RabbitMq"] = rabbitMqUri,
            ["Marten__Schema"] = schema,
            ["TWILIO_ACCOUNT_SID"] = AccountSid,
            ["TWILIO_AUTH_TOKEN"] = AuthToken,
            ["Twilio__ApiBaseUrl"] = simulator.BaseAddress.ToString(),
            ["NumberPool__PublicBaseUrl"] = PublicBaseUrl,
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        var manifest = ServiceManifest.Load(RepositoryPaths.Script("deploy/mesh.json"));
        var process = await ServiceProcess.Start(manifest["numberpool"].Assembly, environment);
        return new NumberPoolService(simulator, process, infrastructure.PostgresConnectionString, schema, rabbitMqUri);
    }

    public async Task DefinePool(string pool, object limits)
    {
        using var response = await Client.PutAsJsonAsync($"/api/numbers/pools/{pool}", limits);
        await Expect(response, HttpStatusCode.OK);
    }

    /// <summary>Provisions through the API and waits until every planned number is decided; returns the request's outcome.</summary>
    public async Task<JsonElement> Provision(object request, TimeSpan timeout)
    {
        using var response = await Client.PostAsJsonAsync("/api/numbers/provisioning", request);
        await Expect(response, HttpStatusCode.Accepted);
        var requestId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString()!;
        return await WaitFor($"/api/numbers/provisioning/{requestId}", p =>
            p.GetProperty("status").GetString() != "planned"
            || p.GetProperty("numbers").EnumerateArray().All(n => n.GetProperty("state").GetString() != "provisioning"), timeout);
    }

    public async Task<JsonElement> WaitFor(string path, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await Client.GetAsync(path);
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.StatusCode == HttpStatusCode.OK && JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync()) is var body && done(body))
            {
                return body;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{path} did not reach the expected state within {timeout}; last seen: {last}\n{Process.RecentOutput}");
    }

    /// <summary>POST /api/numbers/acquire: the status and the body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> Acquire(string pool, string destination)
    {
        using var response = await Client.PostAsJsonAsync("/api/numbers/acquire", new { pool, destination });
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    public async Task Release(string leaseId)
    {
        using var response = await Client.DeleteAsync($"/api/numbers/leases/{leaseId}");
        await Expect(response, HttpStatusCode.NoContent);
    }

    /// <summary>Every event of the lease ledgers (<c>{e164}/leases</c>), per stream in version order, as stored.</summary>
    public async Task<Dictionary<string, List<JsonElement>>> Ledgers()
    {
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select stream_id, data from {Schema}.mt_events where stream_id like '%/leases' order by stream_id, version", connection);
        var ledgers = new Dictionary<string, List<JsonElement>>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var stream = reader.GetString(0);
            if (!ledgers.TryGetValue(stream, out var events))
            {
                ledgers[stream] = events = [];
            }

            events.Add(JsonSerializer.Deserialize<JsonElement>(reader.GetString(1)));
        }

        return ledgers;
    }

    public static async Task Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>
    /// Starts the gateway in front of this service (its API prefix and the Twilio webhooks) and has the simulator deliver
    /// its callbacks there, so call outcomes reach the service as they do in production: signed webhook, gateway, bus.
    /// </summary>
    public async Task<ServiceProcess> StartGateway()
    {
        var manifest = ServiceManifest.Load(RepositoryPaths.Script("deploy/mesh.json"));
        var environment = new Dictionary<string, string>
        {
            ["TWILIO_ACCOUNT_SID"] = AccountSid,
            ["TWILIO_AUTH_TOKEN"] = AuthToken,
            ["Gateway__PublicBaseUrl"] = PublicBaseUrl,
            ["Gateway__ApiKeys__0"] = "numberpool-api-key",
            ["ConnectionStrings__RabbitMq"] = RabbitMqUri,
        };
        foreach (var service in manifest.Services)
        {
            environment[$"ReverseProxy__Clusters__{service.Name}__Destinations__primary__Address"] = Process.BaseAddress.ToString();
        }

        _gateway = await ServiceProcess.Start(manifest.Gateway.Assembly, environment);
        Simulator.Control.WebhookTarget = _gateway.BaseAddress;
        return _gateway;
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        Client.Dispose();
        await Process.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
