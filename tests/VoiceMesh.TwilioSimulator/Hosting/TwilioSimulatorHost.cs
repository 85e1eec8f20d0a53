using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Twilio.Clients;
using Twilio.Http;
using VoiceMesh.TwilioSimulator.Admin;
using HttpClient = System.Net.Http.HttpClient;

namespace VoiceMesh.TwilioSimulator.Hosting;

/// <summary>
/// The simulator hosted in-process on a loopback port, for test fixtures:
/// <code>await using var sim = await TwilioSimulatorHost.StartAsync(new SimulatorOptions(), fakeTime);</code>
/// </summary>
public sealed class TwilioSimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<HttpClient> _clients = [];

    private TwilioSimulatorHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Options = app.Services.GetRequiredService<SimulatorOptions>();
        Control = app.Services.GetRequiredService<SimulatorControl>();
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseAddress { get; }

    public SimulatorOptions Options { get; }

    /// <summary>Outcome scripts, faults, chaos and the inspection logs.</summary>
    public SimulatorControl Control { get; }

    /// <summary>Starts a simulator; <paramref name="clock"/> (e.g. a <c>FakeTimeProvider</c>) drives call lifecycles.</summary>
    public static async Task<TwilioSimulatorHost> StartAsync(
        SimulatorOptions options, TimeProvider? clock = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        builder.Services.AddSimulatorServices(clock ?? TimeProvider.System);
        var app = builder.Build();
        app.MapTwilioSimulator();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new TwilioSimulatorHost(app, new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/"));
    }

    /// <summary>An HttpClient whose requests to any host (e.g. <c>api.twilio.com</c>) go to this simulator.</summary>
    public HttpClient CreateHttpClient(TimeSpan? timeout = null)
    {
        var client = new HttpClient(new TwilioBaseAddressHandler(BaseAddress) { InnerHandler = new SocketsHttpHandler() })
        {
            Timeout = timeout ?? TimeSpan.FromSeconds(100),
        };
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }

    /// <summary>The official Twilio SDK client, sending every call to this simulator.</summary>
    public TwilioRestClient CreateTwilioClient(string? accountSid = null, string? authToken = null, TimeSpan? timeout = null) =>
        new(accountSid ?? Options.AccountSid, authToken ?? Options.AuthToken,
            httpClient: new SystemNetHttpClient(CreateHttpClient(timeout)));

    public async ValueTask DisposeAsync()
    {
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
