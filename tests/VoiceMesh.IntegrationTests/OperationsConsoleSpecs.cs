using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PuppeteerSharp;
using VoiceMesh.Demo;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Admin;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// The operations console (<c>/console</c>) in a real headless browser (Debian's Chromium, driven over the DevTools
/// protocol by PuppeteerSharp) on the mesh the demo ran on: signed in with the API key, each view shows what the demo
/// left behind, each linked to its trace, and an error queue's message is replayed from the page. A screenshot of
/// every view is written beside the test results (the path is in the test output).
/// </summary>
[Collection(DemoMeshGroup.Name)]
public sealed class OperationsConsoleSpecs(DemoMeshFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_view_shows_the_demos_work_linked_to_its_traces_and_an_error_queue_is_replayed_from_the_page()
    {
        var mesh = fixture.Mesh;
        var summary = fixture.Summary;
        var (poisonId, poisonTrace) = await PublishUnreadablePlaceCall();
        var screenshots = Directory.CreateDirectory(Path.Combine(
            Environment.GetEnvironmentVariable("VOICEMESH_TEST_RESULTS") is { Length: > 0 } results ? results : AppContext.BaseDirectory, "console"));

        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = Chromium(),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        await using var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1500, Height = 1000 });
        var errors = new List<string>();
        page.Console += (_, e) =>
        {
            if (e.Message.Type == ConsoleType.Error)
            {
                errors.Add($"{e.Message.Text} ({e.Message.Location?.URL})");
            }
        };
        page.PageError += (_, e) => errors.Add(e.Message);

        await page.GoToAsync(new Uri(mesh.Gateway.BaseAddress!, "/console").ToString());
        await page.WaitForSelectorAsync("main[data-loaded='sign-in']");

        // A key the gateway does not know is refused with the gateway's own answer, and nothing is shown.
        await page.TypeAsync("#api-key", "not-a-key");
        await page.ClickAsync("#sign-in button[type=submit]");
        await page.WaitForSelectorAsync("#status.error");
        Assert.Contains("401", await Text("#status"));
        Assert.Equal("", await Text("main"));
        Assert.Contains(errors, e => e.Contains("status of 401", StringComparison.Ordinal) && e.Contains("/api/calls", StringComparison.Ordinal));
        errors.Clear();

        await page.TypeAsync("#api-key", Mesh.ApiKey);
        await page.ClickAsync("#sign-in button[type=submit]");

        var calls = await Show("calls");
        foreach (var call in summary.Calls.Where(c => c.CallSid is not null))
        {
            var row = await RowText($"tr[data-call-sid='{call.CallSid}']");
            Assert.Contains(call.Status, row);
            Assert.Contains(call.From!, row);
            Assert.Equal(
                $"http://127.0.0.1:16686/trace/{call.TraceId}",
                await page.EvaluateExpressionAsync<string>($"document.querySelector(\"tr[data-call-sid='{call.CallSid}'] a.trace\").href"));
        }

        Assert.Contains(summary.Stream.CallSid, calls);
        Assert.All(
            await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('tr[data-call-sid]')].map(row => row.dataset.callSid)"),
            sid => Assert.Matches("^CA[0-9a-f]{32}$", sid));
        var human = summary.Calls[0];
        await page.ClickAsync($"tr[data-call-sid='{human.CallSid}'] button.sid");
        await page.WaitForSelectorAsync("tr.lifecycle ol.history");
        var lifecycle = await Text("tr.lifecycle");
        Assert.All(human.History, status => Assert.Contains(status, lifecycle));
        await Screenshot("calls");

        var conferences = await Show("conferences");
        var room = await RowText($"section[data-conference-sid='{summary.Conference.ConferenceSid}']");
        Assert.Contains(summary.Conference.Name, room);
        Assert.Contains(summary.Conference.Recording.RecordingSid, room);
        Assert.Equal(2, await page.EvaluateExpressionAsync<int>(
            $"document.querySelectorAll(\"section[data-conference-sid='{summary.Conference.ConferenceSid}'] tbody tr\").length"));
        Assert.Contains("muted", room);
        Assert.Contains("on hold", room);
        Assert.NotEmpty(conferences);
        await Screenshot("conferences");

        // A caller in the demo's IVR queue while the view is open; then the agents' desk takes it.
        var waiting = mesh.Simulator.Control.StartInboundCall(
            new InboundCallRequest { From = "+14155550401", To = summary.Ivr.Number, CallerInput = [new CallerInput { Digits = "1" }] });
        await mesh.WaitForQueue(summary.Ivr.Queue, q => q.GetProperty("size").GetInt32() == 1, TimeSpan.FromSeconds(60));
        await Show("queues");
        var queue = await RowText($"section[data-queue='{summary.Ivr.Queue}']");
        Assert.Contains("1 waiting", queue);
        Assert.Contains(waiting, queue);
        await Screenshot("queues");
        using (var dequeued = await mesh.Client.PostAsJsonAsync($"/api/queues/{summary.Ivr.Queue}/dequeue", new { to = DemoScenario.Agent }, Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, dequeued.StatusCode);
        }

        await Show("numbers");
        var pool = await RowText($"tr[data-pool='{summary.Pool.Name}']");
        Assert.Contains("3 active", pool);
        Assert.All(summary.Pool.Numbers, number => Assert.Contains(number, pool));
        await Screenshot("numbers");

        await Show("recordings");
        var recording = await RowText($"tr[data-recording-sid='{summary.Conference.Recording.RecordingSid}']");
        Assert.Contains("archived", recording);
        Assert.Contains(summary.Conference.Recording.Sha256, recording);
        Assert.Contains(summary.Conference.Recording.BlobUri, recording);
        await Screenshot("recordings");

        await Show("dead-letters");
        var poisoned = await RowText($"tr[data-message-id='{poisonId}']");
        Assert.Contains("PlaceCall", poisoned);
        Assert.Equal(
            $"http://127.0.0.1:16686/trace/{poisonTrace}",
            await page.EvaluateExpressionAsync<string>($"document.querySelector(\"tr[data-message-id='{poisonId}'] a.trace\").href"));
        await Screenshot("dead-letters");
        await page.ClickAsync($"tr[data-message-id='{poisonId}'] input[type=checkbox]");
        await page.ClickAsync("section[data-queue='place-call_error'] button.replay-selected");
        await page.WaitForFunctionAsync("() => document.getElementById('status').textContent.startsWith('Replayed')");
        Assert.Equal("Replayed 1 message of place-call_error to place-call.", await Text("#status"));

        // Replayed, it is read again by Calls, still cannot be, and is back with one replay counted.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        string replayed;
        do
        {
            await Task.Delay(500, Ct);
            await page.EvaluateExpressionAsync("location.hash = '#dead-letters'; window.dispatchEvent(new HashChangeEvent('hashchange'))");
            await page.WaitForSelectorAsync("main[data-loaded='dead-letters']");
            replayed = await page.EvaluateExpressionAsync<string>(
                $"document.querySelector(\"tr[data-message-id='{poisonId}'] td:last-child\")?.textContent ?? ''");
        }
        while (replayed != "1" && DateTimeOffset.UtcNow < deadline);
        Assert.Equal("1", replayed);
        await Screenshot("dead-letters-replayed");

        await page.ClickAsync("#sign-out");
        await page.WaitForSelectorAsync("main[data-loaded='sign-in']");
        Assert.Empty(errors);
        TestContext.Current.TestOutputHelper?.WriteLine($"screenshots: {screenshots.FullName}");

        async Task<string> Show(string view)
        {
            await page.ClickAsync($"a[data-view='{view}']");
            await page.WaitForSelectorAsync($"main[data-loaded='{view}']", new WaitForSelectorOptions { Timeout = 30_000 });
            return await Text("main");
        }

        async Task<string> Text(string selector) =>
            await page.EvaluateExpressionAsync<string>($"document.querySelector(\"{selector}\")?.innerText ?? ''");

        async Task<string> RowText(string selector)
        {
            var text = await Text(selector);
            Assert.False(string.IsNullOrEmpty(text), $"the console shows nothing for {selector}: {await Text("main")}");
            return text;
        }

        async Task Screenshot(string view)
        {
            var file = Path.Combine(screenshots.FullName, view + ".png");
            await page.ScreenshotAsync(file, new ScreenshotOptions { FullPage = true });
            TestContext.Current.TestOutputHelper?.WriteLine($"console view {view}: {file}");
        }
    }

    [Theory]
    [InlineData("/api/calls?status=ringing-ish", "status")]
    [InlineData("/api/calls?limit=0", "limit")]
    [InlineData("/api/calls?limit=201", "limit")]
    [InlineData("/api/recordings?status=stored", "status")]
    [InlineData("/api/recordings?limit=-1", "limit")]
    public async Task The_lists_the_console_reads_refuse_a_bad_filter_naming_it(string path, string field)
    {
        using var response = await fixture.Mesh.Client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task The_lists_filter_by_status_in_the_database()
    {
        var recordingSid = fixture.Summary.Conference.Recording.RecordingSid;
        var archived = await fixture.Mesh.Client.GetFromJsonAsync<JsonElement>("/api/recordings?status=archived&limit=200", Ct);
        var failed = await fixture.Mesh.Client.GetFromJsonAsync<JsonElement>("/api/recordings?status=failed", Ct);
        var busy = await fixture.Mesh.Client.GetFromJsonAsync<JsonElement>("/api/calls?status=busy", Ct);
        var live = await fixture.Mesh.Client.GetFromJsonAsync<JsonElement>("/api/calls?live=true&limit=200", Ct);

        Assert.Contains(archived.EnumerateArray(), r => r.GetProperty("recordingSid").GetString() == recordingSid);
        Assert.All(archived.EnumerateArray(), r => Assert.Equal("archived", r.GetProperty("status").GetString()));
        Assert.DoesNotContain(failed.EnumerateArray(), r => r.GetProperty("recordingSid").GetString() == recordingSid);
        Assert.Contains(busy.EnumerateArray(), c => c.GetProperty("callSid").GetString() == fixture.Summary.Calls[2].CallSid);
        Assert.All(busy.EnumerateArray(), c => Assert.Equal("busy", c.GetProperty("status").GetString()));
        Assert.DoesNotContain(live.EnumerateArray(), c => c.GetProperty("status").GetString() is "completed" or "busy" or "no-answer" or "failed" or "canceled");
    }

    [Fact]
    public async Task The_page_is_served_without_a_key_under_a_strict_content_policy_and_nothing_else_is()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Mesh.Gateway.BaseAddress };
        using var page = await anonymous.GetAsync("/console", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var policy = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("content=\"http://127.0.0.1:16686\"", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using var unknown = await anonymous.GetAsync("/console/other.js", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var posted = await anonymous.PostAsync("/console", new StringContent("x"), Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, posted.StatusCode);
        using var data = await anonymous.GetAsync("/api/calls", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, data.StatusCode);
    }

    /// <summary>Debian's Chromium (installed by deploy/local/install.sh), or the browser VOICEMESH_CHROMIUM names.</summary>
    private static string Chromium()
    {
        var path = Environment.GetEnvironmentVariable("VOICEMESH_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        Assert.True(File.Exists(path), $"no Chromium at {path}: run deploy/local/install.sh (apt install chromium) or set VOICEMESH_CHROMIUM");
        return path;
    }

    /// <summary>
    /// A PlaceCall whose metadata is a number where strings belong: Calls can never read it, so it goes straight to
    /// place-call_error. It carries the trace context its sender was in, as MassTransit sends it.
    /// </summary>
    private async Task<(string MessageId, string TraceId)> PublishUnreadablePlaceCall()
    {
        var vhost = new Uri(fixture.Mesh.RabbitMqUri).AbsolutePath.Trim('/');
        var messageId = Guid.NewGuid().ToString();
        var trace = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();
        var envelope = new
        {
            messageId,
            messageType = new[] { "urn:message:VoiceMesh.Contracts.Calls:PlaceCall" },
            message = new { requestId = "console-" + messageId, to = "+14155558001", twiml = "<Response/>", metadata = 42, occurredAt = DateTimeOffset.UtcNow },
        };
        using var management = TestInfrastructure.ManagementClient(fixture.Infrastructure.RabbitMqManagementUri);
        using var published = await management.PostAsJsonAsync(
            $"api/exchanges/{vhost}/{Uri.EscapeDataString("VoiceMesh.Contracts.Calls:PlaceCall")}/publish",
            new
            {
                properties = new
                {
                    content_type = "application/vnd.masstransit+json",
                    delivery_mode = 2,
                    message_id = messageId,
                    headers = new Dictionary<string, string> { ["traceparent"] = $"00-{trace}-{System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString()}-01" },
                },
                routing_key = "",
                payload = JsonSerializer.Serialize(envelope),
                payload_encoding = "string",
            },
            Ct);
        published.EnsureSuccessStatusCode();

        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (DateTimeOffset.UtcNow < deadline)
        {
            using var shown = await fixture.Mesh.Client.GetAsync("/api/admin/dead-letters/place-call_error", Ct);
            if (shown.IsSuccessStatusCode && (await shown.Content.ReadAsStringAsync(Ct)).Contains(messageId, StringComparison.Ordinal))
            {
                return (messageId, trace);
            }

            await Task.Delay(250, Ct);
        }

        throw new TimeoutException($"the unreadable PlaceCall {messageId} did not reach place-call_error");
    }
}
