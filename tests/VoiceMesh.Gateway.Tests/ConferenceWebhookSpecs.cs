using System.Net;
using MassTransit.Testing;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.Gateway.Twilio;
using VoiceMesh.Testing;

namespace VoiceMesh.Gateway.Tests;

public sealed class ConferenceWebhookSpecs : IAsyncLifetime
{
    private const string ConferenceSid = "CF0123456789abcdef0123456789abcdef";
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private const string Path = "/twilio/conference/status";
    private static readonly string AccountSid = "AC" + new string('1', 32);
    private readonly GatewayApplication _app = new();
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _client = _app.CreateClient();
        await _app.Harness.Start();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private static List<KeyValuePair<string, string>> Leave() =>
    [
        new("AccountSid", AccountSid),
        new("CallSid", CallSid),
        new("Coaching", "false"),
        new("ConferenceSid", ConferenceSid),
        new("EndConferenceOnExit", "true"),
        new("FriendlyName", "standup"),
        new("Hold", "false"),
        new("Muted", "true"),
        new("ParticipantCallStatus", "completed"),
        new("ParticipantLabel", "moderator"),
        new("ReasonParticipantLeft", "participant_hung_up"),
        new("SequenceNumber", "7"),
        new("StartConferenceOnEnter", "true"),
        new("StatusCallbackEvent", "participant-leave"),
        new("Timestamp", "Tue, 14 Oct 2025 17:03:41 +0000"),
    ];

    private static List<KeyValuePair<string, string>> End() =>
    [
        new("AccountSid", AccountSid),
        new("CallSidEndingConference", CallSid),
        new("ConferenceSid", ConferenceSid),
        new("FriendlyName", "standup"),
        new("ParticipantLabelEndingConference", "moderator"),
        new("Reason", "Participant moderator with endConferenceOnExit left the conference"),
        new("ReasonConferenceEnded", "participant-with-end-conference-on-exit-left"),
        new("SequenceNumber", "8"),
        new("StatusCallbackEvent", "conference-end"),
        new("Timestamp", "Tue, 14 Oct 2025 17:03:41 +0000"),
    ];

    private static HttpRequestMessage Signed(List<KeyValuePair<string, string>> form, string? token = null) =>
        TwilioSignature.SignedPost(GatewayApplication.AuthToken, GatewayApplication.PublicBaseUrl + Path, new Uri(Path, UriKind.Relative), form, token);

    private async Task AssertNothingPublished() =>
        Assert.False(await _app.Harness.Published.Any<ConferenceCallbackReceived>(TestContext.Current.CancellationToken));

    [Fact]
    public async Task A_signed_participant_leave_is_published_with_every_parameter_typed_then_answered_204()
    {
        using var response = await _client.SendAsync(Signed(Leave(), "idem-conf-1"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var published = _app.Harness.Published.Select<ConferenceCallbackReceived>(TestContext.Current.CancellationToken).Single();
        var message = published.Context.Message;
        Assert.Equal((ConferenceSid, "standup", AccountSid, CallSid), (message.ConferenceSid, message.FriendlyName, message.AccountSid, message.CallSid));
        Assert.Equal(ConferenceCallbackEvent.ParticipantLeave, message.StatusCallbackEvent);
        Assert.Equal(7, message.SequenceNumber);
        Assert.Equal(new DateTimeOffset(2025, 10, 14, 17, 3, 41, TimeSpan.Zero), message.Timestamp);
        Assert.Equal((true, false, false, true, true), (message.Muted, message.Hold, message.Coaching, message.EndConferenceOnExit, message.StartConferenceOnEnter));
        Assert.Equal("moderator", message.ParticipantLabel);
        Assert.Equal(ParticipantCallStatus.Completed, message.ParticipantCallStatus);
        Assert.Equal(ParticipantLeftReason.ParticipantHungUp, message.ReasonParticipantLeft);
        Assert.Equal(Leave().Count, message.Parameters.Count);
        Assert.Equal("idem-conf-1", message.IdempotencyKey);
        Assert.Equal(WebhookIdempotency.MessageId("idem-conf-1"), published.Context.MessageId);
    }

    [Fact]
    public async Task A_conference_end_carries_the_reason_and_the_call_that_ended_it()
    {
        using var response = await _client.SendAsync(Signed(End()), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var message = _app.Harness.Published.Select<ConferenceCallbackReceived>(TestContext.Current.CancellationToken).Single().Context.Message;
        Assert.Equal(ConferenceCallbackEvent.ConferenceEnd, message.StatusCallbackEvent);
        Assert.Equal(ConferenceEndedReason.ParticipantWithEndConferenceOnExitLeft, message.ReasonConferenceEnded);
        Assert.Equal((CallSid, "moderator"), (message.CallSidEndingConference, message.ParticipantLabelEndingConference));
        Assert.Equal("Participant moderator with endConferenceOnExit left the conference", message.Reason);
        Assert.Null(message.CallSid);
    }

    [Theory]
    [InlineData("ConferenceSid", null)]
    [InlineData("ConferenceSid", "CF123")]
    [InlineData("FriendlyName", null)]
    [InlineData("StatusCallbackEvent", null)]
    [InlineData("StatusCallbackEvent", "participant-dance")]
    [InlineData("CallSid", null)]
    [InlineData("CallSid", "CA-not-a-sid")]
    [InlineData("Muted", "yes")]
    [InlineData("SequenceNumber", "-1")]
    [InlineData("Timestamp", "yesterday")]
    [InlineData("ParticipantCallStatus", "gone")]
    [InlineData("ReasonParticipantLeft", "bored")]
    public async Task A_missing_or_malformed_conference_field_gets_400_naming_it_and_publishes_nothing(string field, string? value)
    {
        var form = Leave().Where(f => f.Key != field).ToList();
        if (value is not null)
        {
            form.Add(new(field, value));
        }

        using var response = await _client.SendAsync(Signed(form), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        await AssertNothingPublished();
    }

    [Fact]
    public async Task A_conference_end_with_an_unknown_reason_gets_400_and_publishes_nothing()
    {
        var form = End().Where(f => f.Key != "ReasonConferenceEnded").Append(new("ReasonConferenceEnded", "boredom")).ToList();

        using var response = await _client.SendAsync(Signed(form), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertNothingPublished();
    }

    [Fact]
    public async Task A_conference_callback_with_a_bad_signature_gets_403_and_publishes_nothing()
    {
        var request = Signed(Leave());
        var tampered = Leave();
        tampered[^1] = new("Timestamp", "Wed, 15 Oct 2025 17:03:41 +0000");
        request.Content = new FormUrlEncodedContent(tampered);

        using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertNothingPublished();
    }
}
