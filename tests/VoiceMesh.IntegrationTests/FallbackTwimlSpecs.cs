using Twilio.Rest.Api.V2010.Account;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Admin;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// A caller never hears Twilio's "application error": with Calls killed mid-call, the gateway answers the call's next
/// TwiML request with the fallback (apology, voicemail, hang-up); and a number whose Voice URL fails gets the same
/// from its <c>VoiceFallbackUrl</c>, the gateway's fallback route, which needs no other service.
/// </summary>
public sealed class FallbackTwimlSpecs(FallbackTwimlSpecs.CallsAlone fixture) : IClassFixture<FallbackTwimlSpecs.CallsAlone>
{
    private const string Apology = "We are sorry, we cannot take your call right now.";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Mesh _mesh = fixture.Mesh;

    /// <summary>A greeting, 300 s of hold (3 s at the mesh's time scale) in which Calls is killed, then a menu whose answer needs Calls.</summary>
    private const string HoldThenMenu = """
        { "start": "welcome", "steps": {
          "welcome": { "type": "say", "text": "Welcome to Example.", "next": "hold" },
          "hold": { "type": "pause", "seconds": 300, "next": "menu" },
          "menu": { "type": "menu", "prompt": "For sales press 1.", "input": ["dtmf"], "options": [ { "digits": "1", "next": "bye" } ], "noInput": "bye" },
          "bye": { "type": "hangup", "say": "Goodbye." } } }
        """;

    private Task<CallTwimlLog> WaitForSimulator(string callSid, Func<CallTwimlLog, bool> done) =>
        _mesh.WaitForTwimlLog(callSid, done, Patience);

    private async Task<string> Buy(string voicePath, bool withFallbackUrl)
    {
        var bought = await IncomingPhoneNumberResource.CreateAsync(
            areaCode: "415",
            voiceUrl: new Uri(Mesh.PublicBaseUrl + voicePath),
            voiceFallbackUrl: withFallbackUrl ? new Uri(Mesh.PublicBaseUrl + "/twilio/voice/fallback") : null,
            statusCallback: new Uri(Mesh.PublicBaseUrl + "/twilio/voice/status"),
            client: _mesh.Simulator.CreateTwilioClient());
        return bought.PhoneNumber.ToString();
    }

    private string Dial(string to) => _mesh.Simulator.Control.StartInboundCall(new InboundCallRequest
    {
        From = "+14155550100",
        To = to,
        CallerInput = [new CallerInput { Digits = "1" }],
        RecordSeconds = 4,
    });

    /// <summary>After <paramref name="from"/>: the apology, the voicemail recorded, then the hang-up the voicemail's action answered.</summary>
    private static void AssertFallbackPlayed(CallTwimlLog log, int from)
    {
        var rest = log.Verbs.Skip(from).ToList();
        var apology = rest.FindIndex(v => v.Verb == "Say" && v.Text == Apology);
        Assert.True(apology >= 0, $"no apology after verb {from}: {string.Join(", ", log.Verbs.Select(v => $"{v.Verb} {v.Text} {v.Outcome}"))}");
        Assert.Equal(["Say", "Say", "Record", "Hangup"], rest.Skip(apology).Select(v => v.Verb));
        Assert.StartsWith("recorded", rest[apology + 2].Outcome, StringComparison.Ordinal);
        Assert.Equal(Mesh.PublicBaseUrl + "/twilio/voice/fallback", rest[apology + 3].DocumentUrl);
        Assert.Equal("completed", log.Status);
    }

    [Fact]
    public async Task Calls_killed_mid_call_the_next_twiml_request_gets_the_gateways_apology_and_voicemail_not_an_application_error()
    {
        var number = await Buy("/twilio/voice", withFallbackUrl: false);
        await _mesh.SaveFlow("hold-then-menu", HoldThenMenu, TestContext.Current.CancellationToken);
        await _mesh.AssignFlow("hold-then-menu", number, TestContext.Current.CancellationToken);
        var calls = _mesh.Calls[0];
        try
        {
            var callSid = Dial(number);
            var holding = await WaitForSimulator(callSid, l => l.Verbs.Any(v => v.Verb == "Pause"));
            calls.Kill();

            var log = await WaitForSimulator(callSid, l => l.Status is "completed" or "failed");

            Assert.Equal(["Say", "Pause"], holding.Verbs.Select(v => v.Verb));
            Assert.Null(log.ErrorCode);
            var gather = log.Verbs.ToList().FindIndex(v => v.Verb == "Gather");
            Assert.Equal("digits 1", log.Verbs[gather].Outcome);
            AssertFallbackPlayed(log, gather + 1);
            Assert.True(await _mesh.Gateway.Writes("Calls could not answer", TimeSpan.FromSeconds(10)), "the fallback was not logged");
        }
        finally
        {
            await calls.StartAsync();
        }
    }

    [Fact]
    public async Task A_number_whose_voice_url_fails_gets_the_apology_from_its_voice_fallback_url_at_the_gateway()
    {
        // The gateway answers 404 for a path it does not route: Twilio's 11200, which sends it to the number's fallback URL.
        var number = await Buy("/twilio/voice/no-such-route", withFallbackUrl: true);

        var callSid = Dial(number);
        var log = await WaitForSimulator(callSid, l => l.Status is "completed" or "failed");

        Assert.Equal(11200, log.ErrorCode);
        AssertFallbackPlayed(log, 0);
        var fallback = Assert.Single(_mesh.Simulator.Control.Webhooks, w => w.CallSid == callSid && w.Url.EndsWith("/twilio/voice/fallback", StringComparison.Ordinal) && w.Parameters.ContainsKey("ErrorCode"));
        Assert.Equal(200, fallback.ResponseStatus);
        Assert.Equal("11200", fallback.Parameters["ErrorCode"]);
        Assert.True(await _mesh.Gateway.Writes("Twilio requested the fallback URL for call " + callSid, TimeSpan.FromSeconds(10)), "the fallback was not logged");
    }

    /// <summary>The gateway and Calls only: the fallback needs nothing else.</summary>
    public sealed class CallsAlone(TestInfrastructure infrastructure) : MeshFixture(infrastructure)
    {
        protected override IReadOnlyCollection<string>? OtherServices => Mesh.CallsAlone;
    }
}
