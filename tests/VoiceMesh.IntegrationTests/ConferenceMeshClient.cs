using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Calls;

namespace VoiceMesh.IntegrationTests;

/// <summary>The Conferences API through the gateway, as the conference specs drive it.</summary>
internal sealed class ConferenceMeshClient(Mesh mesh)
{
    public Mesh Mesh => mesh;

    public async Task<HttpResponseMessage> Post(string path, object? body = null) =>
        await mesh.Client.PostAsJsonAsync(path, body ?? new { }, TestContext.Current.CancellationToken);

    /// <summary>Sends a command and insists on 202 (201 for a room).</summary>
    public async Task Accepted(string path, object? body = null, HttpStatusCode expected = HttpStatusCode.Accepted)
    {
        using var response = await Post(path, body);
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"POST {path} answered {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public Task Create(string name, object? options = null) =>
        Accepted("/api/conferences", options ?? new { friendlyName = name }, HttpStatusCode.Created);

    /// <summary>Dials <paramref name="to"/> (answering as a human, staying until hung up) into <paramref name="name"/>.</summary>
    public Task Add(string name, string to, string role = "attendee", string? label = null)
    {
        mesh.Simulator.Control.AddOutcome(new OutcomeRule { Match = to, Outcome = CallOutcomeKind.Human, RingSeconds = 1 });
        return Accepted($"/api/conferences/{name}/participants", new { to, from = "+15005550006", role, label });
    }

    /// <summary>The sid of the conference named <paramref name="name"/>, once the service knows it.</summary>
    public async Task<string> SidOf(string name, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var list = await mesh.Client.GetFromJsonAsync<JsonElement>($"/api/conferences?name={Uri.EscapeDataString(name)}", TestContext.Current.CancellationToken);
            if (list.GetArrayLength() > 0)
            {
                return list[0].GetProperty("conferenceSid").GetString()!;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"No conference named {name} within {timeout}");
    }

    public async Task<JsonElement> Get(string conferenceSid) =>
        await mesh.Client.GetFromJsonAsync<JsonElement>($"/api/conferences/{conferenceSid}", TestContext.Current.CancellationToken);

    /// <summary>
    /// The read model once its timeline has stopped growing (the same length over four reads a quarter second apart):
    /// the callbacks still on their way when a condition first held (a conference's start after its joins) are applied.
    /// </summary>
    public async Task<JsonElement> Settled(string conferenceSid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = await Get(conferenceSid);
        for (var unchanged = 0; unchanged < 4 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(250, TestContext.Current.CancellationToken);
            var next = await Get(conferenceSid);
            unchanged = next.GetProperty("timeline").GetArrayLength() == last.GetProperty("timeline").GetArrayLength() ? unchanged + 1 : 0;
            last = next;
        }

        return last;
    }

    /// <summary>Polls the read model (404 until the conference is known) until <paramref name="done"/> holds, or fails with the last state seen.</summary>
    public async Task<JsonElement> WaitFor(string conferenceSid, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await mesh.Client.GetAsync($"/api/conferences/{conferenceSid}", TestContext.Current.CancellationToken);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                last = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
                if (done(last))
                {
                    return last;
                }
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"Conference {conferenceSid} did not reach the expected state within {timeout}; last seen: {last}\n"
            + mesh.Services["conferences"].RecentOutput);
    }

    public static IEnumerable<JsonElement> Participants(JsonElement conference) => conference.GetProperty("participants").EnumerateArray();

    public static int Joined(JsonElement conference) => Participants(conference).Count(p => p.GetProperty("status").GetString() == "joined");

    public static JsonElement Participant(JsonElement conference, string callSid) =>
        Participants(conference).Single(p => p.GetProperty("callSid").GetString() == callSid);

    /// <summary>The call sid of the participant labelled <paramref name="label"/>.</summary>
    public static string CallOf(JsonElement conference, string label) =>
        Participants(conference).Single(p => p.GetProperty("label").GetString() == label).GetProperty("callSid").GetString()!;
}
