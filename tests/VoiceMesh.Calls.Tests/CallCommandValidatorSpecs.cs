using VoiceMesh.Calls.Control;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Tests;

public sealed class CallCommandValidatorSpecs
{
    private const string Sid = "CA0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData(Sid, null)]
    [InlineData("CA123", "CallSid")]
    [InlineData("", "CallSid")]
    public void A_hang_up_needs_a_well_formed_call_sid(string callSid, string? field) =>
        Assert.Equal(field, CallCommandValidator.Validate(new HangUpCall { CallSid = callSid, OccurredAt = DateTimeOffset.UnixEpoch })?.Field);

    [Theory]
    [InlineData("https://flows.example.com/next", null, null)]
    [InlineData(null, "<Response><Hangup/></Response>", null)]
    [InlineData(null, null, "Url")]
    [InlineData("https://flows.example.com/next", "<Response/>", "Url")]
    [InlineData("ftp://flows.example.com/next", null, "Url")]
    public void A_redirect_needs_exactly_one_of_an_http_url_or_twiml(string? url, string? twiml, string? field) =>
        Assert.Equal(field, CallCommandValidator.Validate(
            new RedirectCall { CallSid = Sid, Url = url, Twiml = twiml, OccurredAt = DateTimeOffset.UnixEpoch })?.Field);
}
