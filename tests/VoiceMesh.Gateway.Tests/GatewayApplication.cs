using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace VoiceMesh.Gateway.Tests;

/// <summary>The gateway in memory with MassTransit's test harness in place of RabbitMQ (unit level).</summary>
public sealed class GatewayApplication : WebApplicationFactory<Program>
{
    public const string AuthToken = "test-auth-token";
    public const string PublicBaseUrl = "https://voice.example.com";
    public const string ApiKey = "test-api-key";

    private readonly Dictionary<string, string?> _settings = new()
    {
        ["Twilio:AccountSid"] = "AC" + new string('1', 32),
        ["Twilio:AuthToken"] = AuthToken,
        ["Gateway:PublicBaseUrl"] = PublicBaseUrl,
        ["Gateway:ApiKeys:0"] = ApiKey,
        ["ConnectionStrings:RabbitMq"] = "amqp://guest:guest@127.0.0.1:1/",
    };

    private readonly List<Action<IServiceCollection>> _services = [];

    public GatewayApplication With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Test services added after the gateway's own (e.g. a log collector).</summary>
    public GatewayApplication WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    public ITestHarness Harness => Services.GetTestHarness();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddMassTransitTestHarness();
            services.Configure<TestHarnessOptions>(o => o.TestInactivityTimeout = TimeSpan.FromSeconds(1));
            _services.ForEach(configure => configure(services));
        });
    }
}
