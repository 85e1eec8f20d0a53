using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Flows through the gateway on real PostgreSQL and RabbitMQ: what saving refuses, the versions a call keeps, and
/// what a TwiML request that is not Twilio's gets. Twilio's requests are signed here as Twilio signs them.
/// </summary>
public sealed class CallFlowApiSpecs(MeshFixture fixture) : IClassFixture<MeshFixture>
{
    private const string Number = "+15005550006";
    private readonly Mesh _mesh = fixture.Mesh;

    private static string Menu(string salesNumber) => $$"""
        { "start": "menu", "steps": {
          "menu": { "type": "menu", "prompt": "Press 1 for sales.", "options": [{ "digits": "1", "next": "sales" }], "noInput": "bye" },
          "sales": { "type": "forward", "to": "{{salesNumber}}", "noAnswer": "bye" },
          "bye": { "type": "hangup" } } }
        """;

    private static List<KeyValuePair<string, string>> Form(string callSid, params (string Key, string Value)[] extra) =>
    [
        new("AccountSid", Mesh.AccountSid), new("CallSid", callSid), new("From", "+14155550100"), new("To", Number),
        new("CallStatus", "ringing"), new("Direction", "inbound"), .. extra.Select(e => new KeyValuePair<string, string>(e.Key, e.Value)),
    ];

    private async Task<XElement> Twiml(string path, List<KeyValuePair<string, string>> form)
    {
        using var response = await _mesh.PostTwilio(path, form, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        return XDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Root!;
    }

    private async Task<HttpResponseMessage> Put(string flowId, string body, string contentType = "application/json") =>
        await _mesh.Client.PutAsync($"/api/flows/{flowId}", new StringContent(body, Encoding.UTF8, contentType), TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_flow_that_refers_to_a_missing_step_is_refused_with_400_naming_the_step_and_nothing_is_saved()
    {
        using var response = await Put("broken", Menu("+14155550123").Replace("\"noAnswer\": \"bye\"", "\"noAnswer\": \"gone\"", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("sales", problem.GetProperty("step").GetString());
        Assert.Contains("'gone'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty("sales.noAnswer", out _));
        using var read = await _mesh.Client.GetAsync("/api/flows/broken", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Theory]
    [InlineData("{ \"start\": ", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("""{ "start": "a", "steps": { "a": { "type": "say", "text": "hi", "next": "a" } } }""", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("""{ "start": "a", "steps": { "a": { "type": "hangup" } } }""", "text/plain", HttpStatusCode.UnsupportedMediaType)]
    public async Task Malformed_flows_get_a_clear_4xx(string body, string contentType, HttpStatusCode status)
    {
        using var response = await Put("malformed", body, contentType);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_call_keeps_the_flow_version_it_started_with_after_the_flow_is_edited()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(1, await _mesh.SaveFlow("sales", Menu("+14155550111"), ct));
        await _mesh.AssignFlow("sales", Number, ct);
        var first = Mesh.NewCallSid();
        var menu = await Twiml("/twilio/voice", Form(first));
        var action = menu.Element("Gather")!.Attribute("action")!.Value;
        Assert.Equal("/twilio/voice/flow/sales/1/menu/gather?attempt=0", action);

        Assert.Equal(2, await _mesh.SaveFlow("sales", Menu("+14155550222"), ct));
        var kept = await Twiml(action, Form(first, ("Digits", "1")));
        var second = Mesh.NewCallSid();
        var edited = await Twiml("/twilio/voice", Form(second));
        var secondAction = edited.Element("Gather")!.Attribute("action")!.Value;
        var now = await Twiml(secondAction, Form(second, ("Digits", "1")));

        Assert.Equal("+14155550111", kept.Element("Dial")!.Element("Number")!.Value);
        Assert.Equal("/twilio/voice/flow/sales/2/menu/gather?attempt=0", secondAction);
        Assert.Equal("+14155550222", now.Element("Dial")!.Element("Number")!.Value);
        var call = await _mesh.WaitForCall(first, c => c.GetProperty("flow").ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(10));
        Assert.Equal(1, call.GetProperty("flow").GetProperty("version").GetInt32());
        Assert.Equal(["menu", "menu", "sales"], call.GetProperty("flow").GetProperty("path").EnumerateArray().Select(p => p.GetProperty("step").GetString()));
        using var version1 = await _mesh.Client.GetAsync("/api/flows/sales/versions/1", ct);
        Assert.Contains("+14155550111", await version1.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retried_twilio_request_is_answered_again_and_recorded_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var callSid = Mesh.NewCallSid();
        List<KeyValuePair<string, string>> form = [.. Form(callSid).Where(p => p.Key != "To"), new("To", "+15005550010")];
        for (var i = 0; i < 2; i++)
        {
            var request = TwilioSignature.SignedPost(Mesh.AuthToken, Mesh.PublicBaseUrl + "/twilio/voice", new Uri("/twilio/voice", UriKind.Relative), form, "retry-token-" + callSid);
            using var response = await _mesh.Client.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var call = await _mesh.WaitForCall(callSid, _ => true, TimeSpan.FromSeconds(10));
        var steps = call.GetProperty("flow").GetProperty("path").EnumerateArray().Select(p => p.GetProperty("step").GetString()).ToList();
        Assert.Equal(steps.Distinct(), steps);
        Assert.Equal("default", call.GetProperty("flow").GetProperty("flowId").GetString());
    }

    [Fact]
    public async Task An_unsigned_twiml_request_is_refused_and_records_nothing_and_one_without_a_call_sid_is_a_400()
    {
        var ct = TestContext.Current.CancellationToken;
        var callSid = Mesh.NewCallSid();
        using var unsigned = await _mesh.Client.PostAsync("/twilio/voice", new FormUrlEncodedContent(Form(callSid)), ct);
        var noSid = Form(callSid).Where(p => p.Key != "CallSid").ToList();
        using var withoutSid = await _mesh.PostTwilio("/twilio/voice", noSid, ct);

        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, withoutSid.StatusCode);
        Assert.Null(await _mesh.GetCall(callSid, ct));
    }

    [Fact]
    public async Task A_deleted_flow_answers_no_new_call_and_its_numbers_fall_back_to_the_default_flow()
    {
        var ct = TestContext.Current.CancellationToken;
        await _mesh.SaveFlow("retired", Menu("+14155550333"), ct);
        await _mesh.AssignFlow("retired", "+15005550009", ct);
        using var deleted = await _mesh.Client.DeleteAsync("/api/flows/retired", ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        var callSid = Mesh.NewCallSid();
        await Twiml("/twilio/voice", [.. Form(callSid).Where(p => p.Key != "To"), new("To", "+15005550009")]);

        var call = await _mesh.WaitForCall(callSid, _ => true, TimeSpan.FromSeconds(10));
        Assert.Equal("default", call.GetProperty("flow").GetProperty("flowId").GetString());
        using var gone = await _mesh.Client.GetAsync("/api/flows/retired", ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task A_request_for_a_flow_version_that_does_not_exist_gets_the_apology_not_an_error()
    {
        var root = await Twiml("/twilio/voice/flow/nosuch/7/menu/gather?attempt=0", Form(Mesh.NewCallSid(), ("Digits", "1")));

        Assert.StartsWith("We are sorry", root.Element("Say")!.Value, StringComparison.Ordinal);
        Assert.NotNull(root.Element("Hangup"));
    }
}
