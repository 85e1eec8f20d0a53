using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Bad webhooks get their 4xx and nothing reaches RabbitMQ: a probe queue bound to the event's exchange sees
/// only the one valid callback sent after them.
/// </summary>
public sealed class RejectedInputSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private Mesh _mesh = null!;
    private HttpClient _management = null!;
    private QueueProbe _published = null!;

    public async ValueTask InitializeAsync()
    {
        var uri = await infrastructure.CreateVirtualHostAsync();
        _mesh = await Mesh.Start(uri, infrastructure.PostgresConnectionString, otherServices: Mesh.CallsAlone);
        _management = TestInfrastructure.ManagementClient(infrastructure.RabbitMqManagementUri);
        _published = await QueueProbe.Bind(
            _management, new Uri(uri).AbsolutePath.Trim('/'), "VoiceMesh.Contracts.Calls:CallStatusCallbackReceived", "probe");
    }

    public async ValueTask DisposeAsync()
    {
        _management.Dispose();
        await _mesh.DisposeAsync();
    }

    [Fact]
    public async Task Invalid_signature_oversized_body_wrong_content_type_and_missing_fields_publish_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var callSid = Mesh.NewCallSid();
        var valid = Mesh.StatusCallback(callSid, "completed", 4);

        var forged = TwilioSignature.SignedPost(
            "not-the-token", Mesh.PublicBaseUrl + "/twilio/voice/status", new Uri("/twilio/voice/status", UriKind.Relative), valid);
        using (var response = await _mesh.Client.SendAsync(forged, ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using (var response = await _mesh.PostStatus([.. valid, new("Padding", new string('x', 65 * 1024))], cancellationToken: ct))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }

        var json = TwilioSignature.SignedPost(
            Mesh.AuthToken, Mesh.PublicBaseUrl + "/twilio/voice/status", new Uri("/twilio/voice/status", UriKind.Relative), []);
        json.Content = new StringContent(JsonSerializer.Serialize(valid.ToDictionary()), Encoding.UTF8, "application/json");
        using (var response = await _mesh.Client.SendAsync(json, ct))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        }

        using (var response = await _mesh.PostStatus([.. valid.Where(f => f.Key != "CallSid")], cancellationToken: ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using (var response = await _mesh.PostStatus([.. valid.Where(f => f.Key != "CallSid"), new("CallSid", "CA-not-a-sid")], cancellationToken: ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using (var response = await _mesh.PostStatus(Mesh.StatusCallback("CA" + new string('e', 32), "completed", 4), cancellationToken: ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var payload = Assert.Single(await _published.Get(100, remove: true, ct)).GetProperty("payload").GetString()!;
        Assert.Contains("CA" + new string('e', 32), payload, StringComparison.Ordinal);
        Assert.Null(await _mesh.GetCall(callSid, ct));
    }

    [Fact]
    public async Task The_api_answers_401_without_a_key()
    {
        using var anonymous = new HttpClient { BaseAddress = _mesh.Gateway.BaseAddress };

        using var response = await anonymous.GetAsync("/api/calls/" + Mesh.NewCallSid(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
