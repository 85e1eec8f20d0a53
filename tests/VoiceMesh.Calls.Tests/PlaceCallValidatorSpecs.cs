using Microsoft.Extensions.Options;
using VoiceMesh.Calls.Placement;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Tests;

public sealed class PlaceCallValidatorSpecs
{
    private static readonly PlaceCall Valid = new()
    {
        RequestId = "req-1",
        To = "+14155550100",
        From = "+15005550006",
        Twiml = "<Response/>",
        OccurredAt = DateTimeOffset.UnixEpoch,
    };

    private static PlaceCallValidator Validator(string? defaultFrom = null)
    {
        var options = new CallsOptions { PublicBaseUrl = "https://voice.example.com", DefaultFrom = defaultFrom };
        options.Flows["welcome"] = "https://flows.example.com/welcome";
        return new PlaceCallValidator(Options.Create(options));
    }

    [Fact]
    public void A_complete_command_is_valid() => Assert.Empty(Validator().Validate(Valid));

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    public void A_missing_or_malformed_request_id_is_named(string requestId) =>
        Assert.Equal("RequestId", Assert.Single(Validator().Validate(Valid with { RequestId = requestId })).Field);

    [Theory]
    [InlineData("4155550100")]
    [InlineData("+0155550100")]
    [InlineData("+1415555010012345678")]
    [InlineData("client:alice")]
    [InlineData("+1415555\u0661\u0662\u0663")]
    [InlineData("+14155550100\n")]
    [InlineData("+1 415 555 0100")]
    [InlineData("+999123456")]
    public void To_must_be_e164(string to)
    {
        var violations = Validator().Validate(Valid with { To = to });

        Assert.NotEmpty(violations);
        Assert.All(violations, v => Assert.Equal("To", v.Field));
    }

    [Fact]
    public void Without_from_the_default_caller_id_is_needed()
    {
        Assert.Equal("From", Assert.Single(Validator().Validate(Valid with { From = null })).Field);
        Assert.Empty(Validator(defaultFrom: "+15005550006").Validate(Valid with { From = null }));
    }

    [Fact]
    public void Exactly_one_instruction_is_required()
    {
        Assert.Equal("Url", Assert.Single(Validator().Validate(Valid with { Twiml = null })).Field);
        Assert.Equal("Url", Assert.Single(Validator().Validate(Valid with { Url = "https://x.example.com" })).Field);
    }

    [Fact]
    public void Only_known_flows_and_http_urls_are_accepted()
    {
        Assert.Empty(Validator().Validate(Valid with { Twiml = null, Flow = "welcome" }));
        Assert.Equal("Flow", Assert.Single(Validator().Validate(Valid with { Twiml = null, Flow = "unknown" })).Field);
        Assert.Equal("Url", Assert.Single(Validator().Validate(Valid with { Twiml = null, Url = "ftp://x.example.com" })).Field);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(601)]
    public void Timeouts_outside_5_to_600_seconds_are_refused(int seconds) =>
        Assert.Equal("TimeoutSeconds", Assert.Single(Validator().Validate(Valid with { TimeoutSeconds = seconds })).Field);

    [Fact]
    public void Machine_handling_needs_async_detection_and_a_message_for_message()
    {
        Assert.Equal("MachineDetection", Assert.Single(Validator().Validate(Valid with { MachineDetection = "Sometimes" })).Field);
        Assert.Equal("AsyncAmd", Assert.Single(Validator().Validate(Valid with { AsyncAmd = true })).Field);
        Assert.Equal("OnMachine", Assert.Single(Validator().Validate(Valid with { OnMachine = "hangup" })).Field);
        var message = Valid with { MachineDetection = "DetectMessageEnd", AsyncAmd = true, OnMachine = "message" };
        Assert.Equal("MachineMessageTwiml", Assert.Single(Validator().Validate(message)).Field);
        Assert.Empty(Validator().Validate(message with { MachineMessageTwiml = "<Response><Say>Call us</Say></Response>" }));
    }

    [Fact]
    public void Text_the_database_cannot_store_is_refused_naming_its_field()
    {
        Assert.Equal("Metadata", Assert.Single(Validator().Validate(Valid with { Metadata = new Dictionary<string, string> { ["note"] = "a\0b" } })).Field);
        Assert.Equal("Twiml", Assert.Single(Validator().Validate(Valid with { Twiml = "<Response>\0</Response>" })).Field);
        Assert.Equal("Tenant", Assert.Single(Validator().Validate(Valid with { Tenant = "\0" })).Field);
    }

    [Theory]
    [InlineData("RequestId", "req\u0000")]
    [InlineData("To", "+1415555010\u0000")]
    [InlineData("Twiml", "<Response>\u0000</Response>")]
    [InlineData("Tenant", "acme\u0000")]
    [InlineData("Tenant", "acme\n")]
    [InlineData("Metadata", "line\u0007")]
    public void Text_postgres_cannot_store_or_a_control_character_is_named(string field, string value)
    {
        var command = field switch
        {
            "RequestId" => Valid with { RequestId = value },
            "To" => Valid with { To = value },
            "Twiml" => Valid with { Twiml = value },
            "Tenant" => Valid with { Tenant = value },
            _ => Valid with { Metadata = new Dictionary<string, string> { ["note"] = value } },
        };

        Assert.Contains(Validator().Validate(command), v => v.Field == field);
    }

    [Fact]
    public void An_unpaired_surrogate_is_named() =>
        Assert.Equal("Tenant", Assert.Single(Validator().Validate(Valid with { Tenant = "acme" + (char)0xD800 })).Field);

    [Fact]
    public void Twiml_may_span_lines() =>
        Assert.Empty(Validator().Validate(Valid with { Twiml = "<Response>\r\n\t<Say>Hi</Say>\n</Response>" }));
}
