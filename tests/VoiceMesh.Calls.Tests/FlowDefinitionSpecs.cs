using VoiceMesh.Calls.Flows;

namespace VoiceMesh.Calls.Tests;

/// <summary>Flows as JSON: what is read, what is refused before it is saved, and business hours.</summary>
public sealed class FlowDefinitionSpecs
{
    internal const string Ivr = """
        {
          "start": "hours",
          "steps": {
            "hours": {
              "type": "hours", "timeZone": "America/New_York",
              "weekly": { "monday": [{ "open": "09:00", "close": "17:00" }], "tuesday": [{ "open": "09:00", "close": "12:00" }, { "open": "13:00", "close": "17:00" }] },
              "holidays": ["2026-12-21"],
              "open": "welcome", "closed": "voicemail"
            },
            "welcome": { "type": "say", "text": "Welcome to Example.", "next": "menu" },
            "menu": {
              "type": "menu", "prompt": "For sales press 1, for support press 2.", "input": ["dtmf", "speech"],
              "options": [ { "digits": "1", "speech": ["sales"], "next": "sales" }, { "digits": "2", "speech": ["support"], "next": "support" } ],
              "retries": 1, "invalidPrompt": "Sorry, that is not an option.", "minConfidence": 0.6, "noInput": "voicemail"
            },
            "sales": { "type": "forward", "to": "+14155550123", "callerId": "+15005550006", "timeoutSeconds": 20, "noAnswer": "voicemail" },
            "support": { "type": "queue", "queue": "support", "maxWaitSeconds": 120, "overflow": "voicemail" },
            "voicemail": { "type": "voicemail", "prompt": "Leave a message.", "maxLengthSeconds": 60, "next": "bye" },
            "bye": { "type": "hangup", "say": "Goodbye." }
          }
        }
        """;

    internal static LoadedFlow Load(string json, string flowId = "ivr", int version = 1)
    {
        var violations = FlowSaving.Check(flowId, json, out var flow);
        Assert.Empty(violations);
        return new LoadedFlow(flowId, version, flow!);
    }

    [Fact]
    public void The_shipped_default_flow_and_the_sample_ivr_are_valid()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "flows", "default.json");
        Assert.Empty(FlowSaving.Check("default", File.ReadAllText(file), out _));
        var ivr = Load(Ivr);
        Assert.Equal(7, ivr.Definition.Steps.Count);
        Assert.IsType<MenuStep>(ivr.Definition.Steps["menu"]);
    }

    [Fact]
    public void A_saved_flow_reads_back_the_same()
    {
        var flow = Load(Ivr).Definition;

        var again = FlowJson.Parse(FlowJson.Write(flow)).Flow!;

        Assert.Equal(FlowJson.Write(flow), FlowJson.Write(again));
        Assert.Equal(FlowStepType.Hours, again.Steps["hours"].Type);
    }

    [Fact]
    public void A_step_that_refers_to_a_missing_step_is_named()
    {
        var json = Ivr.Replace("\"noAnswer\": \"voicemail\"", "\"noAnswer\": \"voicemale\"", StringComparison.Ordinal);

        var violation = Assert.Single(FlowSaving.Check("ivr", json, out _));

        Assert.Equal("sales", violation.Step);
        Assert.Contains("'voicemale'", violation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Steps_that_loop_without_input_are_refused_and_a_loop_through_a_menu_is_not()
    {
        var loop = """
            { "start": "a", "steps": {
              "a": { "type": "say", "text": "Hello", "next": "b" },
              "b": { "type": "pause", "seconds": 1, "next": "a" } } }
            """;
        var throughMenu = """
            { "start": "a", "steps": {
              "a": { "type": "say", "text": "Hello", "next": "m" },
              "m": { "type": "menu", "prompt": "Press 1", "options": [{ "digits": "1", "next": "a" }], "noInput": "a" } } }
            """;

        var violation = Assert.Single(FlowSaving.Check("loop", loop, out _));

        Assert.Equal("a", violation.Step);
        Assert.Contains("a -> b -> a", violation.Reason, StringComparison.Ordinal);
        Assert.Empty(FlowSaving.Check("menu", throughMenu, out _));
    }

    [Theory]
    [InlineData("{", null)]
    [InlineData("""{ "start": "a", "steps": { "a": { "type": "dance" } } }""", "a")]
    [InlineData("""{ "start": "a", "steps": { "a": { "type": "say" } } }""", "a")]
    [InlineData("""{ "start": "a", "steps": { "a": { "type": "say", "text": "x", "colour": "red" } } }""", "a")]
    [InlineData("""{ "start": "b", "steps": { "a": { "type": "hangup" } } }""", "b")]
    [InlineData("""{ "start": "a", "steps": { "a": { "type": "forward", "to": "555-1234", "noAnswer": "a" } } }""", "a")]
    [InlineData("""{ "start": "a", "steps": { "a": { "type": "hours", "timeZone": "Mars/Olympus", "open": "a", "closed": "a" } } }""", "a")]
    [InlineData("""{ "start": "a b", "steps": { "a b": { "type": "hangup" } } }""", "a b")]
    public void Malformed_flows_are_refused_naming_the_step(string json, string? step)
    {
        var violations = FlowSaving.Check("bad", json, out var flow);

        Assert.Null(flow);
        Assert.NotEmpty(violations);
        Assert.Equal(step, violations[0].Step);
    }

    [Theory]
    [InlineData("2026-11-30T14:00:00Z", true)]   // Monday 09:00 New York
    [InlineData("2026-11-30T13:59:00Z", false)]  // Monday 08:59
    [InlineData("2026-11-30T22:00:00Z", false)]  // Monday 17:00: closing time is closed
    [InlineData("2026-12-01T17:30:00Z", false)]  // Tuesday 12:30, the lunch break
    [InlineData("2026-12-01T18:30:00Z", true)]   // Tuesday 13:30
    [InlineData("2026-12-02T15:00:00Z", false)]  // Wednesday: no window
    [InlineData("2026-12-21T15:00:00Z", false)]  // a Monday holiday
    [InlineData("2026-06-01T13:30:00Z", true)]   // Monday 09:30 in daylight saving time
    public void Business_hours_follow_the_local_week_and_holidays(string utc, bool open)
    {
        var hours = (BusinessHoursStep)Load(Ivr).Definition.Steps["hours"];

        Assert.Equal(open, hours.IsOpen(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
