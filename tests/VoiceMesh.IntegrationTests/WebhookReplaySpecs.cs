using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Issue 15's replay protection through the real gateway, RabbitMQ, Calls and PostgreSQL: a captured, validly signed
/// status webhook replayed later is acknowledged and changes nothing; a webhook validly signed by another account the
/// gateway serves (a subaccount with its own token) does not change a call of the main account.
/// </summary>
public sealed class WebhookReplaySpecs(TestInfrastructure infrastructure, WebhookReplaySpecs.TwoAccountMesh fixture)
    : IClassFixture<WebhookReplaySpecs.TwoAccountMesh>
{
    public const string Subaccount = "AC" + "5ab0000000000000000000000000000b";
    public const string SubaccountToken = "integration-subaccount-token";
    private const string StatusPath = "/twilio/voice/status";
    private readonly Mesh _mesh = fixture.Mesh;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A webhook as it went over the wire: the body, its signature and Twilio's idempotency token.</summary>
    private sealed record Captured(byte[] Body, string Signature, string IdempotencyToken);

    private static async Task<Captured> Capture(List<KeyValuePair<string, string>> form, string token = Mesh.AuthToken)
    {
        using var request = TwilioSignature.SignedPost(
            token, Mesh.PublicBaseUrl + StatusPath, new Uri(StatusPath, UriKind.Relative), form, Guid.NewGuid().ToString());
        return new Captured(
            await request.Content!.ReadAsByteArrayAsync(Ct),
            request.Headers.GetValues("X-Twilio-Signature").Single(),
            request.Headers.GetValues("I-Twilio-Idempotency-Token").Single());
    }

    /// <summary>Sends the captured bytes and headers again; without Twilio's idempotency token when <paramref name="withToken"/> is false.</summary>
    private async Task<HttpStatusCode> Send(Captured captured, bool withToken = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, StatusPath) { Content = new ByteArrayContent(captured.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add("X-Twilio-Signature", captured.Signature);
        if (withToken)
        {
            request.Headers.Add("I-Twilio-Idempotency-Token", captured.IdempotencyToken);
        }

        using var response = await _mesh.Client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    private async Task<HttpStatusCode> Deliver(List<KeyValuePair<string, string>> form, string token = Mesh.AuthToken) =>
        await Send(await Capture(form, token));

    private Task<JsonElement> WaitForHistory(string callSid, int entries) =>
        _mesh.WaitForCall(callSid, c => c.GetProperty("history").GetArrayLength() >= entries, TimeSpan.FromSeconds(60));

    private static string History(JsonElement call) => call.GetProperty("history").GetRawText();

    private async Task<long> Events(string callSid)
    {
        await using var connection = new NpgsqlConnection(infrastructure.PostgresConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            $"select count(*) from {_mesh.CallsEnvironment["Marten__Schema"]}.mt_events where stream_id = @sid", connection);
        command.Parameters.AddWithValue("sid", callSid);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>
    /// Waits until every status webhook acknowledged before it has been consumed: one Calls instance takes the
    /// status queue in order, so once a callback of a call of its own is applied, what was queued before it was too.
    /// </summary>
    private async Task Drain()
    {
        var marker = Mesh.NewCallSid();
        Assert.Equal(HttpStatusCode.NoContent, await Deliver(Mesh.StatusCallback(marker, "queued", 0)));
        await WaitForHistory(marker, 1);
    }

    [Fact]
    public async Task A_captured_status_webhook_replayed_after_later_callbacks_and_after_the_call_completed_is_acknowledged_and_changes_nothing()
    {
        var callSid = Mesh.NewCallSid();
        var ringing = await Capture(Mesh.StatusCallback(callSid, "ringing", 2));
        Assert.Equal(HttpStatusCode.NoContent, await Deliver(Mesh.StatusCallback(callSid, "queued", 0)));
        Assert.Equal(HttpStatusCode.NoContent, await Deliver(Mesh.StatusCallback(callSid, "initiated", 1)));
        Assert.Equal(HttpStatusCode.NoContent, await Send(ringing));
        Assert.Equal(HttpStatusCode.NoContent, await Deliver(Mesh.StatusCallback(callSid, "in-progress", 3)));
        var live = await WaitForHistory(callSid, 4);
        var liveEvents = await Events(callSid);

        Assert.Equal(HttpStatusCode.NoContent, await Send(ringing));
        Assert.Equal(HttpStatusCode.NoContent, await Send(ringing, withToken: false));
        await Drain();

        var afterLiveReplay = await _mesh.GetCall(callSid, Ct);
        Assert.Equal(History(live), History(afterLiveReplay!.Value));
        Assert.Equal("in-progress", afterLiveReplay.Value.GetProperty("status").GetString());
        Assert.Equal(liveEvents, await Events(callSid));

        Assert.Equal(HttpStatusCode.NoContent, await Deliver(Mesh.StatusCallback(callSid, "completed", 4)));
        var completed = await WaitForHistory(callSid, 5);
        var completedEvents = await Events(callSid);
        Assert.Equal(Mesh.Lifecycle, completed.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, await Send(ringing));
        Assert.Equal(HttpStatusCode.NoContent, await Send(ringing, withToken: false));
        await Drain();

        var afterFinalReplay = await _mesh.GetCall(callSid, Ct);
        Assert.Equal(History(completed), History(afterFinalReplay!.Value));
        Assert.Equal("completed", afterFinalReplay.Value.GetProperty("status").GetString());
        Assert.Equal(completedEvents, await Events(callSid));
    }

    [Fact]
    public async Task A_callback_validly_signed_by_another_served_account_for_a_call_of_the_main_account_is_acknowledged_but_not_applied()
    {
        var callSid = Mesh.NewCallSid();
        Assert.Equal(HttpStatusCode.NoContent, await Deliver(Mesh.StatusCallback(callSid, "queued", 0)));
        Assert.Equal(HttpStatusCode.NoContent, await Deliver(Mesh.StatusCallback(callSid, "ringing", 2)));
        var ringing = await WaitForHistory(callSid, 2);
        var ringingEvents = await Events(callSid);

        // The subaccount's own token signs it, so the gateway validates and publishes it; Calls knows the call is not its.
        List<KeyValuePair<string, string>> forged =
        [
            .. Mesh.StatusCallback(callSid, "busy", 9).Where(f => f.Key != "AccountSid"),
            new("AccountSid", Subaccount),
        ];
        Assert.Equal(HttpStatusCode.NoContent, await Deliver(forged, SubaccountToken));
        await Drain();

        var afterForged = await _mesh.GetCall(callSid, Ct);
        Assert.Equal(History(ringing), History(afterForged!.Value));
        Assert.Equal("ringing", afterForged.Value.GetProperty("status").GetString());
        Assert.Equal(ringingEvents, await Events(callSid));
        Assert.True(
            await _mesh.Calls[0].Writes($"Refused a status callback for call {callSid}: it names account {Subaccount}, the call belongs to {Mesh.AccountSid}", TimeSpan.FromSeconds(10)),
            _mesh.Calls[0].RecentOutput);

        Assert.Equal(HttpStatusCode.NoContent, await Deliver(Mesh.StatusCallback(callSid, "completed", 4)));
        var completed = await WaitForHistory(callSid, 3);
        Assert.Equal(["queued", "ringing", "completed"], completed.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
        Assert.Equal("completed", completed.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_conference_callback_validly_signed_by_another_served_account_is_acknowledged_but_not_applied()
    {
        const string ConferencePath = "/twilio/conference/status";
        var conferenceSid = "CF" + Guid.NewGuid().ToString("N");
        var callSid = Mesh.NewCallSid();
        List<KeyValuePair<string, string>> Callback(string accountSid, string kind, int sequence) =>
        [
            new("AccountSid", accountSid), new("ConferenceSid", conferenceSid), new("FriendlyName", "accounts-" + conferenceSid[^6..]),
            new("SequenceNumber", sequence.ToString(CultureInfo.InvariantCulture)), new("StatusCallbackEvent", kind),
            new("Timestamp", "Tue, 01 Dec 2026 09:00:0" + sequence + " +0000"), new("CallSid", callSid), new("Muted", "false"),
            new("Hold", "false"), new("Coaching", "false"), new("EndConferenceOnExit", "false"), new("StartConferenceOnEnter", "true"),
        ];
        async Task<HttpStatusCode> Post(List<KeyValuePair<string, string>> form, string token)
        {
            using var request = TwilioSignature.SignedPost(
                token, Mesh.PublicBaseUrl + ConferencePath, new Uri(ConferencePath, UriKind.Relative), form, Guid.NewGuid().ToString());
            using var response = await _mesh.Client.SendAsync(request, Ct);
            return response.StatusCode;
        }

        var conferences = new ConferenceMeshClient(_mesh);
        Assert.Equal(HttpStatusCode.NoContent, await Post(Callback(Mesh.AccountSid, "participant-join", 1), Mesh.AuthToken));
        await conferences.WaitFor(conferenceSid, c => c.GetProperty("timeline").GetArrayLength() == 1, TimeSpan.FromSeconds(30));

        // The subaccount's own token signs it, so the gateway publishes it; the conference belongs to the main account.
        Assert.Equal(HttpStatusCode.NoContent, await Post(Callback(Subaccount, "participant-leave", 2), SubaccountToken));
        Assert.True(
            await _mesh.Services["conferences"].Writes(
                $"Refused a callback for conference {conferenceSid}: it names account {Subaccount}, the conference belongs to {Mesh.AccountSid}", TimeSpan.FromSeconds(30)),
            _mesh.Services["conferences"].RecentOutput);
        var conference = await conferences.Get(conferenceSid);
        Assert.Equal(1, conference.GetProperty("timeline").GetArrayLength());
        Assert.Equal("joined", ConferenceMeshClient.Participants(conference).Single().GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.NoContent, await Post(Callback(Mesh.AccountSid, "participant-leave", 3), Mesh.AuthToken));
        var left = await conferences.WaitFor(conferenceSid, c => c.GetProperty("timeline").GetArrayLength() == 2, TimeSpan.FromSeconds(30));
        Assert.Equal("left", ConferenceMeshClient.Participants(left).Single().GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_callback_of_the_subaccount_signed_with_the_main_accounts_token_is_403()
    {
        List<KeyValuePair<string, string>> form =
        [
            .. Mesh.StatusCallback(Mesh.NewCallSid(), "ringing", 2).Where(f => f.Key != "AccountSid"),
            new("AccountSid", Subaccount),
        ];

        Assert.Equal(HttpStatusCode.Forbidden, await Deliver(form, Mesh.AuthToken));
        Assert.Equal(HttpStatusCode.NoContent, await Deliver(form, SubaccountToken));
    }

    /// <summary>Gateway, one Calls instance and Conferences; the gateway also serves <see cref="Subaccount"/>; reconciliation leaves quiet calls alone.</summary>
    public sealed class TwoAccountMesh(TestInfrastructure infrastructure) : IAsyncLifetime
    {
        public Mesh Mesh { get; private set; } = null!;

        public async ValueTask InitializeAsync() =>
            Mesh = await Mesh.Start(
                await infrastructure.CreateVirtualHostAsync(),
                infrastructure.PostgresConnectionString,
                callsSettings: new Dictionary<string, string> { ["Calls__Reconciliation__StaleAfter"] = "01:00:00" },
                otherServices: ["conferences"],
                everyProcess: new Dictionary<string, string> { [$"Gateway__Accounts__{Subaccount}__AuthToken"] = SubaccountToken });

        public async ValueTask DisposeAsync() => await Mesh.DisposeAsync();
    }
}
