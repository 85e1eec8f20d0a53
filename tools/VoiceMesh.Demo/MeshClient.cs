using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace VoiceMesh.Demo;

/// <summary>The demo's HTTP: the gateway's API (with its key), the simulator's admin API, and waiting for read models.</summary>
internal sealed class MeshClient(HttpClient api, HttpClient simulator, Uri publicBaseUrl, TimeSpan patience, CancellationToken cancellationToken)
{
    /// <summary>The URL Twilio signs and calls (the gateway's public address).</summary>
    public Uri PublicBaseUrl => publicBaseUrl;

    /// <summary>Sends a JSON request to the API and returns its JSON answer; anything but 2xx stops the demo.</summary>
    public async Task<JsonElement> Send(HttpMethod method, string path, object body, string? traceparent = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        if (traceparent is not null)
        {
            request.Headers.Add("traceparent", traceparent);
        }

        using var response = await api.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new DemoException($"{method} {path} answered {(int)response.StatusCode}: {text}");
        }

        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    /// <summary>As <see cref="Send"/>, insisting on <paramref name="expected"/>.</summary>
    public async Task Expect(HttpStatusCode expected, HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        using var response = await api.SendAsync(request, cancellationToken);
        if (response.StatusCode != expected)
        {
            throw new DemoException($"{method} {path} answered {(int)response.StatusCode}, not {(int)expected}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    /// <summary>Tells the simulator what a caller or the network does (an outcome script, an inbound call).</summary>
    public async Task<JsonElement> Simulate(string path, object body)
    {
        using var response = await simulator.PostAsJsonAsync(path, body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new DemoException($"the simulator answered {(int)response.StatusCode} to POST {path}: {text}");
        }

        return JsonSerializer.Deserialize<JsonElement>(text);
    }

    /// <summary>Reads <paramref name="path"/> until <paramref name="done"/> holds (a 404 is not there yet).</summary>
    public async Task<JsonElement> Poll(string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + patience;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await api.GetAsync(path, cancellationToken);
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
            if (response.StatusCode == HttpStatusCode.OK && JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync(cancellationToken)) is var read && done(read))
            {
                return read;
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new DemoException($"GET {path} did not reach what the demo waits for within {patience}; last: {last}");
    }
}
