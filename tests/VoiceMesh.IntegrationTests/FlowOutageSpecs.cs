using System.Diagnostics;
using System.Net;
using System.Xml.Linq;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// A flow that cannot be loaded, because PostgreSQL is gone, still answers Twilio in time with a short apology
/// (never a 5xx, which a caller hears as "an application error has occurred"), and the reason is logged.
/// </summary>
public sealed class FlowOutageSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private IPostgresServer _postgres = null!;
    private Mesh _mesh = null!;

    public async ValueTask InitializeAsync()
    {
        _postgres = await TestInfrastructure.StartPostgresServer();
        _mesh = await Mesh.Start(await infrastructure.CreateVirtualHostAsync(), _postgres.ConnectionString, otherServices: Mesh.CallsAlone);
    }

    public async ValueTask DisposeAsync()
    {
        await _mesh.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task Without_the_database_an_incoming_call_gets_the_apology_well_within_twilios_budget_and_the_reason_is_logged()
    {
        var ct = TestContext.Current.CancellationToken;
        var callSid = Mesh.NewCallSid();
        List<KeyValuePair<string, string>> form =
            [new("AccountSid", Mesh.AccountSid), new("CallSid", callSid), new("From", "+14155550100"), new("To", "+15005550006"), new("CallStatus", "ringing")];
        using (var before = await _mesh.PostTwilio("/twilio/voice", form, ct))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            Assert.DoesNotContain("We are sorry", await before.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        await _postgres.StopAsync();
        var elapsed = Stopwatch.StartNew();
        using var during = await _mesh.PostTwilio("/twilio/voice", [.. form.Where(p => p.Key != "CallSid"), new("CallSid", Mesh.NewCallSid())], ct);
        elapsed.Stop();

        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        Assert.Equal("application/xml", during.Content.Headers.ContentType?.MediaType);
        var twiml = XDocument.Parse(await during.Content.ReadAsStringAsync(ct)).Root!;
        Assert.StartsWith("We are sorry", twiml.Element("Say")!.Value, StringComparison.Ordinal);
        Assert.NotNull(twiml.Element("Hangup"));
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(15), $"answered after {elapsed.Elapsed}, past Twilio's 15 s");
        Assert.True(await _mesh.Calls[0].Writes("got the apology TwiML", TimeSpan.FromSeconds(10)), "the reason was not logged");
    }
}
