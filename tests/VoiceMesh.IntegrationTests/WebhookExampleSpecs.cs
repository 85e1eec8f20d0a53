using System.Net;
using System.Text.RegularExpressions;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// docs/webhooks.md shows what Twilio sends to each gateway endpoint: every example there, signed with the mesh's auth
/// token for the mesh's public URL (its account sid put in for the documented one), gets the gateway's answer for a
/// valid webhook. The gateway runs alone, so the TwiML examples get the gateway's fallback TwiML.
/// </summary>
public sealed partial class WebhookExampleSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private const string DocumentedAccount = "AC0123456789abcdef0123456789abcdef";

    private Mesh _mesh = null!;

    public async ValueTask InitializeAsync() =>
        _mesh = await Mesh.Start(await infrastructure.CreateVirtualHostAsync(), infrastructure.PostgresConnectionString, callsInstances: 0, otherServices: []);

    public async ValueTask DisposeAsync() => await _mesh.DisposeAsync();

    [Fact]
    public async Task Every_documented_webhook_is_accepted_by_the_gateway()
    {
        var examples = Examples(File.ReadAllText(RepositoryPaths.Script("docs/webhooks.md"))).ToList();
        using var gateway = new HttpClient { BaseAddress = _mesh.Gateway.BaseAddress };

        Assert.Equal(
            ["/twilio/voice/status", "/twilio/voice/amd", "/twilio/recording/status", "/twilio/conference/status", "/twilio/stream/status", "/twilio/voice/fallback", "/twilio/voice"],
            examples.Select(e => e.Path));
        foreach (var (path, form) in examples)
        {
            using var request = TwilioSignature.SignedPost(Mesh.AuthToken, Mesh.PublicBaseUrl + path, new Uri(path, UriKind.Relative), form);
            using var response = await gateway.SendAsync(request, TestContext.Current.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

            var expected = path is "/twilio/voice" or "/twilio/voice/fallback" ? HttpStatusCode.OK : HttpStatusCode.NoContent;
            Assert.True(response.StatusCode == expected, $"{path} answered {(int)response.StatusCode}: {body}");
            if (expected == HttpStatusCode.OK)
            {
                Assert.Contains("<Response>", body, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>The <c>```http</c> blocks: the path of their request line and the form body, one parameter per line.</summary>
    private static IEnumerable<(string Path, IReadOnlyList<KeyValuePair<string, string>> Form)> Examples(string markdown)
    {
        foreach (Match block in HttpBlock().Matches(markdown))
        {
            var lines = block.Groups["content"].Value.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            var path = lines[0].Split(' ')[1];
            var body = string.Concat(lines.SkipWhile(l => l.Length > 0).Skip(1));
            var form = body.Split('&')
                .Select(pair => pair.Split('=', 2))
                .Select(kv => KeyValuePair.Create(WebUtility.UrlDecode(kv[0]), WebUtility.UrlDecode(kv[1]).Replace(DocumentedAccount, Mesh.AccountSid, StringComparison.Ordinal)))
                .ToList();
            yield return (path, form);
        }
    }

    [GeneratedRegex("```http\n(?<content>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex HttpBlock();
}
