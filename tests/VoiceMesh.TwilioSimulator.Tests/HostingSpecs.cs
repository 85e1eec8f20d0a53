using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Twilio.Clients;
using Twilio.Http;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using VoiceMesh.TwilioSimulator.Hosting;
using HttpClient = System.Net.Http.HttpClient;

namespace VoiceMesh.TwilioSimulator.Tests;

public sealed class HostingSpecs
{
    [Fact]
    public void The_standalone_host_refuses_to_listen_beyond_loopback()
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://0.0.0.0:5050"]);

        Assert.Throws<InvalidOperationException>(() => builder.AddTwilioSimulator());
    }

    [Fact]
    public async Task In_a_container_it_listens_on_every_interface_only_when_told_to()
    {
        var (app, address) = await StartStandalone(
            "--urls", "http://0.0.0.0:0", $"--{SimulatorRegistration.ContainerNetworkSetting}", "true",
            "--TWILIO_ACCOUNT_SID", SimulatorWorld.AccountSid, "--TWILIO_AUTH_TOKEN", SimulatorWorld.AuthToken);
        await using var running = app;
        using var http = new HttpClient();

        using var answer = await http.GetAsync(new Uri($"http://127.0.0.1:{address.Port}/_sim/outcomes"), TestContext.Current.CancellationToken);

        Assert.Equal("0.0.0.0", address.Host);
        Assert.True(answer.IsSuccessStatusCode, $"GET /_sim/outcomes answered {(int)answer.StatusCode}");
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_standalone_host_takes_credentials_from_twilios_variable_names()
    {
        var builder = WebApplication.CreateBuilder(
            ["--urls", "http://127.0.0.1:0", "--TWILIO_ACCOUNT_SID", SimulatorWorld.AccountSid, "--TWILIO_AUTH_TOKEN", "from-env"]);
        builder.AddTwilioSimulator();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var app = builder.Build();

        var options = app.Services.GetRequiredService<IOptions<SimulatorOptions>>().Value;

        Assert.Equal((SimulatorWorld.AccountSid, "from-env"), (options.AccountSid, options.AuthToken));
    }

    [Fact]
    public async Task On_the_real_clock_a_time_scaled_call_completes_by_itself()
    {
        var (app, address) = await StartStandalone(
            "--urls", "http://127.0.0.1:0", "--Simulator:AccountSid", SimulatorWorld.AccountSid, "--Simulator:AuthToken", SimulatorWorld.AuthToken,
            "--Simulator:TimeScale", "0.005");
        await using var running = app;
        using var http = new HttpClient(new TwilioBaseAddressHandler(address) { InnerHandler = new SocketsHttpHandler() });
        var twilio = new TwilioRestClient(SimulatorWorld.AccountSid, SimulatorWorld.AuthToken, httpClient: new SystemNetHttpClient(http));

        var call = await CallResource.CreateAsync(
            to: new PhoneNumber("+15551230500"), from: new PhoneNumber(SimulatorWorld.From), twiml: new Twiml("<Response/>"), client: twilio);
        var started = TimeProvider.System.GetTimestamp();
        while ((await CallResource.FetchAsync(call.Sid, client: twilio)).Status != CallResource.StatusEnum.Completed)
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5), "the call did not complete");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The standalone simulator as its Program runs it, started with <paramref name="args"/>; its address.</summary>
    private static async Task<(WebApplication App, Uri Address)> StartStandalone(params string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddTwilioSimulator();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapTwilioSimulator();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return (app, new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()));
    }
}
