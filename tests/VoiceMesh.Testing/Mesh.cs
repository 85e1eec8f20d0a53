using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceMesh.ServiceDefaults.Hosting;
using VoiceMesh.TwilioSimulator.Admin;
using VoiceMesh.TwilioSimulator.Hosting;

namespace VoiceMesh.Testing;

/// <summary>
/// The gateway and every manifest service (Calls, Recordings, ...) running as real processes on a RabbitMQ virtual
/// host, each service on a Marten schema of its own, with the Twilio simulator in-process standing in for Twilio: the
/// services reach it through the Twilio SDK, and it delivers its signed callbacks to the gateway.
/// </summary>
public sealed class Mesh : IAsyncDisposable
{
    public const string AccountSid = "AC00000000000000000000000000000001";
    public const string AuthToken = "integration-auth-token";
    public const string PublicBaseUrl = "https://voice.example.test";
    public const string ApiKey = "integration-api-key";

    private readonly List<ServiceProcess> _calls = [];
    private readonly Dictionary<string, ServiceProcess> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, string>> _serviceEnvironments = new(StringComparer.Ordinal);
    private readonly List<ServiceProcess> _extraInstances = [];

    private Mesh(
        string rabbitMqUri, string postgres, string schema, TwilioSimulatorHost simulator, int callsPerSecond,
        IReadOnlyDictionary<string, string>? callsSettings)
    {
        RabbitMqUri = rabbitMqUri;
        Simulator = simulator;
        CallsEnvironment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = postgres,
            ["ConnectionStrings__RabbitMq"] = rabbitMqUri,
            ["Marten__Schema"] = schema,
            ["TWILIO_ACCOUNT_SID"] = AccountSid,
            ["TWILIO_AUTH_TOKEN"] = AuthToken,
            ["Twilio__ApiBaseUrl"] = simulator.BaseAddress.ToString(),
            ["Calls__PublicBaseUrl"] = PublicBaseUrl,
            ["Calls__DefaultFrom"] = "+15005550006",
            ["Calls__CallsPerSecond"] = $"{callsPerSecond}",
            ["Calls__Reconciliation__Interval"] = "00:00:01",
        };
        foreach (var (name, value) in callsSettings ?? new Dictionary<string, string>())
        {
            CallsEnvironment[name] = value;
        }
    }

    public TwilioSimulatorHost Simulator { get; }

    public string RabbitMqUri { get; }

    public Dictionary<string, string> CallsEnvironment { get; }

    public ServiceProcess Gateway { get; private set; } = null!;

    public IReadOnlyList<ServiceProcess> Calls => _calls;

    /// <summary>The manifest services other than Calls, by manifest name (one instance each).</summary>
    public IReadOnlyDictionary<string, ServiceProcess> Services => _services;

    /// <summary>The Recordings service's storage folder (filesystem backend), removed with the mesh.</summary>
    public string RecordingsDirectory { get; } = Path.Combine(Path.GetTempPath(), "voicemesh-recordings-" + Guid.NewGuid().ToString("N"));

    public HttpClient Client { get; private set; } = null!;

    public static async Task<Mesh> Start(
        string rabbitMqUri,
        string postgres,
        int callsInstances = 1,
        int callsPerSecond = 50,
        IReadOnlyDictionary<string, string>? callsSettings = null,
        double timeScale = 0.01,
        IReadOnlyDictionary<string, string>? serviceSettings = null,
        IReadOnlyCollection<string>? otherServices = null,
        IReadOnlyDictionary<string, string>? everyProcess = null)
    {
        var simulator = await TwilioSimulatorHost.StartAsync(new SimulatorOptions
        {
            AccountSid = AccountSid,
            AuthToken = AuthToken,
            TimeScale = timeScale,
        });
        var manifest = ServiceManifest.Load(RepositoryPaths.Script("deploy/mesh.json"));
        var mesh = new Mesh(rabbitMqUri, postgres, TestInfrastructure.NewSchemaName("calls"), simulator, callsPerSecond, callsSettings);
        try
        {
            await mesh.StartProcesses(manifest, callsInstances, postgres, serviceSettings, otherServices, everyProcess ?? new Dictionary<string, string>());
        }
        catch
        {
            // A process that failed to start (a port taken, a project not built) must not leave the others running.
            await mesh.DisposeAsync();
            throw;
        }

        return mesh;
    }

    /// <param name="callsInstances">Calls processes to start; with none, the gateway routes Calls' paths to nowhere (specs of the gateway's own answers).</param>
    /// <param name="everyProcess">Environment of the gateway and of every service (e.g. <see cref="OtlpReceiver.ExporterEnvironment"/>).</param>
    private async Task StartProcesses(
        ServiceManifest manifest, int callsInstances, string postgres, IReadOnlyDictionary<string, string>? serviceSettings,
        IReadOnlyCollection<string>? otherServices, IReadOnlyDictionary<string, string> everyProcess)
    {
        foreach (var (name, value) in everyProcess)
        {
            CallsEnvironment[name] = value;
        }

        var calls = manifest["calls"];
        for (var i = 0; i < callsInstances; i++)
        {
            _calls.Add(await ServiceProcess.Start(calls.Assembly, CallsEnvironment));
        }

        var gateway = new Dictionary<string, string>
        {
            ["TWILIO_ACCOUNT_SID"] = AccountSid,
            ["TWILIO_AUTH_TOKEN"] = AuthToken,
            ["Gateway__PublicBaseUrl"] = PublicBaseUrl,
            ["Gateway__ApiKeys__0"] = ApiKey,
            // Load tests drive the API with this one key far above a production client's default rate.
            ["Gateway__ApiRateLimit__PermitsPerSecond"] = "1000000",
            ["Gateway__ApiRateLimit__Burst"] = "1000000",
            ["ConnectionStrings__RabbitMq"] = RabbitMqUri,
            [Cluster(calls.Name)] = _calls.Count > 0 ? _calls[0].BaseAddress.ToString() : NotStarted,
        };
        foreach (var service in manifest.Services.Where(s => s.Name != calls.Name))
        {
            if (otherServices is not null && !otherServices.Contains(service.Name))
            {
                gateway[Cluster(service.Name)] = NotStarted;
                continue;
            }

            var environment = ServiceEnvironment(service.Name, postgres);
            foreach (var (name, value) in everyProcess.Concat(serviceSettings ?? new Dictionary<string, string>()))
            {
                environment[name] = value;
            }

            _serviceEnvironments[service.Name] = environment;
            var process = await ServiceProcess.Start(service.Assembly, environment);
            _services[service.Name] = process;
            gateway[Cluster(service.Name)] = process.BaseAddress.ToString();
        }

        foreach (var (name, value) in everyProcess)
        {
            gateway[name] = value;
        }

        Gateway = await ServiceProcess.Start(manifest.Gateway.Assembly, gateway);
        Simulator.Control.WebhookTarget = Gateway.BaseAddress;
        Client = new HttpClient { BaseAddress = Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
    }

    /// <summary>Where the gateway routes a service the mesh did not start: the discard port, where nothing listens.</summary>
    private const string NotStarted = "http://127.0.0.1:9/";

    /// <summary>For <c>otherServices</c>: only the gateway and Calls, for specs of calls alone (fewer processes to start and to run).</summary>
    public static IReadOnlyCollection<string> CallsAlone { get; } = [];

    private static string Cluster(string service) => $"ReverseProxy__Clusters__{service}__Destinations__primary__Address";

    /// <summary>
    /// What a service other than Calls is started with: its own schema, the simulator as Twilio, a temporary storage
    /// folder (the filesystem backend's, unless <c>serviceSettings</c> choose another <c>BlobStorage__Backend</c>).
    /// </summary>
    private Dictionary<string, string> ServiceEnvironment(string service, string postgres) => new()
    {
        ["ConnectionStrings__Postgres"] = postgres,
        ["ConnectionStrings__RabbitMq"] = RabbitMqUri,
        ["Marten__Schema"] = TestInfrastructure.NewSchemaName(service),
        ["TWILIO_ACCOUNT_SID"] = AccountSid,
        ["TWILIO_AUTH_TOKEN"] = AuthToken,
        ["Twilio__ApiBaseUrl"] = Simulator.BaseAddress.ToString(),
        ["BlobStorage__Directory"] = RecordingsDirectory,
        ["Conferences__PublicBaseUrl"] = PublicBaseUrl,
        ["Conferences__DialsPerSecond"] = CallsEnvironment["Calls__CallsPerSecond"],
        ["NumberPool__PublicBaseUrl"] = PublicBaseUrl,
        ["MediaStreams__Restart__PublicBaseUrl"] = PublicBaseUrl,
    };

    /// <summary>The environment a service other than Calls runs with (its Marten schema, its settings).</summary>
    public IReadOnlyDictionary<string, string> EnvironmentOf(string service) => _serviceEnvironments[service];

    /// <summary>
    /// Starts one more instance of a service (Calls included), on the same schema, queues and settings; the gateway
    /// keeps routing to the first one.
    /// </summary>
    public async Task<ServiceProcess> StartAnotherInstance(string service)
    {
        var manifest = ServiceManifest.Load(RepositoryPaths.Script("deploy/mesh.json"));
        var environment = service == manifest["calls"].Name ? CallsEnvironment : _serviceEnvironments[service];
        var process = await ServiceProcess.Start(manifest[service].Assembly, environment);
        _extraInstances.Add(process);
        return process;
    }

    public static string NewCallSid() => "CA" + Guid.NewGuid().ToString("N");

    /// <summary>The five status callbacks of an answered call, in Twilio's order.</summary>
    public static IReadOnlyList<string> Lifecycle { get; } = ["queued", "initiated", "ringing", "in-progress", "completed"];

    /// <summary>Sends a PlaceCall through the API and returns its request id.</summary>
    public async Task<string> Place(object body)
    {
        using var response = await Client.PostAsJsonAsync("/api/calls", body);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"POST /api/calls answered {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        return accepted.GetProperty("requestId").GetString()!;
    }

    /// <summary>The placement read model of a request, or null when none is known.</summary>
    public async Task<JsonElement?> GetPlacement(string requestId, CancellationToken cancellationToken = default)
    {
        using var response = await Client.GetAsync($"/api/calls/requests/{requestId}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    /// <summary>Polls the placement read model until <paramref name="done"/> holds.</summary>
    public async Task<JsonElement> WaitForPlacement(string requestId, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var started = DateTime.UtcNow;
        var last = "";
        while (DateTime.UtcNow - started < timeout)
        {
            using var response = await Client.GetAsync($"/api/calls/requests/{requestId}");
            last = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK && JsonSerializer.Deserialize<JsonElement>(last) is var placement && done(placement))
            {
                return placement;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"Request {requestId} did not reach the expected state within {timeout}; last seen: {last}");
    }

    /// <summary>How many Calls create requests for <paramref name="to"/> reached the simulator.</summary>
    public int CreatesTo(string to) => Simulator.Control.Requests.Count(r =>
        r.Method == "POST" && r.Path.EndsWith("/Calls.json", StringComparison.Ordinal)
        && r.Form.TryGetValue("To", out var value) && value.Contains(to));

    /// <summary>A status callback as Twilio sends it for the <paramref name="sequence"/>-th event of a call.</summary>
    public static List<KeyValuePair<string, string>> StatusCallback(string callSid, string status, int sequence) =>
    [
        new("AccountSid", AccountSid),
        new("ApiVersion", "2010-04-01"),
        new("CallSid", callSid),
        new("CallStatus", status),
        new("CallbackSource", "call-progress-events"),
        new("Direction", "outbound-api"),
        new("From", "+15005550006"),
        new("To", "+14155550100"),
        new("SequenceNumber", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Timestamp", new DateTimeOffset(2025, 10, 14, 17, 3, 41, TimeSpan.Zero).AddSeconds(sequence)
            .ToString("ddd, dd MMM yyyy HH:mm:ss +0000", System.Globalization.CultureInfo.InvariantCulture)),
        .. status == "completed" ? [new KeyValuePair<string, string>("CallDuration", "42")] : Array.Empty<KeyValuePair<string, string>>(),
    ];

    public Task<HttpResponseMessage> PostStatus(List<KeyValuePair<string, string>> form, string? idempotencyToken = null, CancellationToken cancellationToken = default)
    {
        var request = TwilioSignature.SignedPost(
            AuthToken, PublicBaseUrl + "/twilio/voice/status", new Uri("/twilio/voice/status", UriKind.Relative), form, idempotencyToken);
        return Client.SendAsync(request, cancellationToken);
    }

    /// <summary>A signed Twilio request to any <c>/twilio/*</c> path (with its query), as Twilio sends a TwiML fetch.</summary>
    public Task<HttpResponseMessage> PostTwilio(string pathAndQuery, IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken = default)
    {
        var request = TwilioSignature.SignedPost(
            AuthToken, PublicBaseUrl + pathAndQuery, new Uri(pathAndQuery, UriKind.Relative), [.. form], idempotencyToken: null);
        return Client.SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// Delivers a status-type webhook as Twilio does: a 503 (the broker did not confirm the publish in time, as on a
    /// loaded machine) is sent again with the same idempotency token, up to five attempts a second apart. Returns the
    /// last answer.
    /// </summary>
    public async Task<HttpResponseMessage> DeliverTwilio(string pathAndQuery, IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken = default)
    {
        List<KeyValuePair<string, string>> fields = [.. form];
        var token = Guid.NewGuid().ToString();
        for (var attempt = 1; ; attempt++)
        {
            var request = TwilioSignature.SignedPost(AuthToken, PublicBaseUrl + pathAndQuery, new Uri(pathAndQuery, UriKind.Relative), fields, token);
            var response = await Client.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 5)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    /// <summary>Saves a flow through the API and returns its new version.</summary>
    public async Task<int> SaveFlow(string flowId, string json, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await Client.PutAsync($"/api/flows/{flowId}", content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT /api/flows/{flowId} answered {response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("version").GetInt32();
    }

    /// <summary>Makes <paramref name="flowId"/> answer calls to <paramref name="phoneNumber"/>.</summary>
    public async Task AssignFlow(string flowId, string phoneNumber, CancellationToken cancellationToken = default)
    {
        using var response = await Client.PutAsync($"/api/flows/{flowId}/numbers/{phoneNumber}", null, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            throw new InvalidOperationException($"Assigning {phoneNumber} to {flowId} answered {response.StatusCode}");
        }
    }

    public async Task<JsonElement?> GetCall(string callSid, CancellationToken cancellationToken = default)
    {
        using var response = await Client.GetAsync($"/api/calls/{callSid}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    /// <summary>Polls <c>GET /api/queues/{name}</c> until <paramref name="done"/> holds.</summary>
    public async Task<JsonElement> WaitForQueue(string name, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var started = DateTime.UtcNow;
        var last = "";
        while (DateTime.UtcNow - started < timeout)
        {
            last = await Client.GetStringAsync($"/api/queues/{name}");
            if (JsonSerializer.Deserialize<JsonElement>(last) is var queue && done(queue))
            {
                return queue;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"Queue {name} did not reach the expected state within {timeout}; last seen: {last}");
    }

    /// <summary>Polls until <paramref name="done"/> holds for the call, or fails with the last state seen.</summary>
    /// <summary>The simulator's TwiML log of <paramref name="callSid"/> once <paramref name="done"/> holds for it.</summary>
    public async Task<CallTwimlLog> WaitForTwimlLog(string callSid, Func<CallTwimlLog, bool> done, TimeSpan timeout)
    {
        var started = DateTime.UtcNow;
        CallTwimlLog? log = null;
        while (DateTime.UtcNow - started < timeout)
        {
            log = Simulator.Control.TwimlLog(callSid);
            if (log is not null && done(log))
            {
                return log;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Call {callSid} did not get there; verbs so far: {string.Join(", ", log?.Verbs.Select(v => $"{v.Verb} {v.Outcome}") ?? [])}");
    }

    public async Task<JsonElement> WaitForCall(string callSid, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var started = DateTime.UtcNow;
        JsonElement? last = null;
        while (DateTime.UtcNow - started < timeout)
        {
            last = await GetCall(callSid);
            if (last is { } call && done(call))
            {
                return call;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"Call {callSid} did not reach the expected state within {timeout}; last seen: {last}");
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        foreach (var calls in _calls)
        {
            await calls.DisposeAsync();
        }

        foreach (var service in _services.Values.Concat(_extraInstances))
        {
            await service.DisposeAsync();
        }

        if (Directory.Exists(RecordingsDirectory))
        {
            Directory.Delete(RecordingsDirectory, recursive: true);
        }

        await Simulator.DisposeAsync();
    }
}
