using System.Security.Cryptography;
using Twilio.Rest.Api.V2010.Account;
using VoiceMesh.Demo;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// The live demo (<c>./voicemesh demo</c>, tools/VoiceMesh.Demo) run non-interactively on a mesh of every service, its
/// summary checked against the simulator's own record: each call's final status is Twilio's, the invalid number's
/// error is Twilio's, the archived recording is the bytes Twilio served, the stream heard the caller's digits.
/// </summary>
[Collection(DemoMeshGroup.Name)]
public sealed class DemoSpecs(DemoMeshFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_demo_completes_and_its_summary_matches_the_simulators_record()
    {
        var mesh = fixture.Mesh;
        var summary = fixture.Summary;
        var printed = fixture.Printed;
        TestContext.Current.TestOutputHelper?.WriteLine(printed);

        var twilio = mesh.Simulator.CreateTwilioClient();
        Assert.Equal(3, summary.Pool.Numbers.Count);
        Assert.Equal(["human", "machine", "busy", "no answer", "invalid number"], summary.Calls.Select(c => c.Label));
        foreach (var call in summary.Calls.Where(c => c.CallSid is not null))
        {
            var atTwilio = await CallResource.FetchAsync(call.CallSid!, client: twilio);
            Assert.Equal(atTwilio.Status.ToString(), call.Status);
            Assert.Contains(call.From!, summary.Pool.Numbers);
            Assert.Contains(call.CallSid!, printed, StringComparison.Ordinal);
        }

        Assert.Equal(["completed", "completed", "busy", "no-answer"], summary.Calls.Take(4).Select(c => c.Status));
        Assert.StartsWith("machine", summary.Calls[1].AnsweredBy, StringComparison.Ordinal);
        Assert.Equal(21217, summary.Calls[4].TwilioErrorCode);
        Assert.Null(summary.Calls[4].CallSid);

        var ivr = summary.Ivr;
        Assert.Equal(["menu", "menu (pressed 1)", "support", "support (waiting)", "support (redirected)"], ivr.Path);
        Assert.Equal((1, "redirected"), (ivr.Position, ivr.QueueResult));
        Assert.Contains(mesh.Simulator.Control.TwimlLog(ivr.CallSid)!.Verbs, v => v.Verb == "Dial" && v.Text == DemoScenario.Agent);
        Assert.Equal("completed", (await CallResource.FetchAsync(ivr.CallSid, client: twilio)).Status.ToString());
        Assert.Contains(ivr.CallSid, printed, StringComparison.Ordinal);

        var recording = summary.Conference.Recording;
        var served = Assert.Single(mesh.Simulator.Control.MediaDownloads, d => d.RecordingSid == recording.RecordingSid && d.StatusCode == 200);
        var stored = await File.ReadAllBytesAsync(new Uri(recording.BlobUri).LocalPath, Ct);
        Assert.Equal((served.BytesSent, recording.SizeBytes), (stored.LongLength, stored.LongLength));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored)), recording.Sha256);
        Assert.Contains(recording.Sha256, printed, StringComparison.Ordinal);
        Assert.Contains("participant-mute", summary.Conference.Timeline);
        Assert.Contains("participant-hold", summary.Conference.Timeline);

        Assert.Equal(DemoScenario.CallerDigits, summary.Stream.Digits);
        Assert.Equal(2, summary.Stream.Speech.Count);
    }
}

/// <summary>The demo's command line: what it refuses, naming the argument (no mesh needed).</summary>
public sealed class DemoOptionsSpecs
{
    [Theory]
    [InlineData(new string[0], "--gateway needs an absolute http(s) URL")]
    [InlineData(new[] { "--gateway", "ftp://x/", "--simulator", "http://s/", "--public-base-url", "https://p/", "--api-key", "k" }, "--gateway needs an absolute http(s) URL")]
    [InlineData(new[] { "--gateway", "http://g/", "--simulator", "http://s/", "--public-base-url", "https://p/" }, "--api-key is missing")]
    [InlineData(new[] { "--gateway", "http://g/", "--simulator", "http://s/", "--public-base-url", "https://p/", "--api-key" }, "'--api-key' has no value")]
    public void Bad_arguments_are_refused_with_the_argument_named(string[] args, string expected)
    {
        Assert.Null(DemoOptions.Parse(args, out var error));
        Assert.Equal(expected, error);
    }
}
