using Microsoft.Extensions.Time.Testing;
using Twilio.Clients;
using VoiceMesh.TwilioSimulator.Admin;
using VoiceMesh.TwilioSimulator.Hosting;

namespace VoiceMesh.TwilioSimulator.Tests;

/// <summary>
/// A simulator on a virtual clock, a callback receiver it delivers to (like a load balancer in front of
/// <see cref="CallbackReceiver.PublicBaseUrl"/>) and a Twilio SDK client pointed at the simulator.
/// </summary>
internal sealed class SimulatorWorld : IAsyncDisposable
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "0123456789abcdef0123456789abcdef";
    public const string From = "+15005550006";
    public const string StatusCallback = CallbackReceiver.PublicBaseUrl + "/twilio/voice/status?tenant=blue";
    public const string VoiceUrl = CallbackReceiver.PublicBaseUrl + "/twilio/voice/answer";

    private SimulatorWorld(FakeTimeProvider clock, TwilioSimulatorHost host, CallbackReceiver receiver)
    {
        Clock = clock;
        Host = host;
        Receiver = receiver;
        Twilio = host.CreateTwilioClient();
    }

    public FakeTimeProvider Clock { get; }

    public TwilioSimulatorHost Host { get; }

    public SimulatorControl Control => Host.Control;

    public CallbackReceiver Receiver { get; }

    public ITwilioRestClient Twilio { get; }

    public static async Task<SimulatorWorld> StartAsync(Action<SimulatorOptions>? configure = null)
    {
        var receiver = await CallbackReceiver.StartAsync(AuthToken);
        var options = new SimulatorOptions
        {
            AccountSid = AccountSid,
            AuthToken = AuthToken,
            WebhookTarget = receiver.Address,
            WebhookTimeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var host = await TwilioSimulatorHost.StartAsync(options, clock, TestContext.Current.CancellationToken);
        return new SimulatorWorld(clock, host, receiver);
    }

    /// <summary>The public URL of a receiver path, as the simulator is told it.</summary>
    public static string Url(string path) => CallbackReceiver.PublicBaseUrl + path;

    /// <summary>An inbound call from <c>+14155550100</c> to <see cref="From"/> whose TwiML starts at <paramref name="path"/>.</summary>
    public string CallIn(string path, params CallerInput[] input) =>
        Control.StartInboundCall(new InboundCallRequest { From = "+14155550100", To = From, Url = Url(path), CallerInput = input });

    /// <summary>The TwiML log of an inbound call.</summary>
    public CallTwimlLog Log(string callSid) => Control.TwimlLog(callSid) ?? throw new InvalidOperationException($"no call {callSid}");

    /// <summary>Moves the virtual clock (every call step due by then runs), then waits for the webhooks it sent.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Clock.Advance(by);
        Assert.True(await Control.WhenWebhooksIdleAsync(cancellationToken: TestContext.Current.CancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}
