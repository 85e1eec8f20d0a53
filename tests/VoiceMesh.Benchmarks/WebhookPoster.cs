using System.Net;
using System.Net.Http.Headers;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// Posts pre-signed status callbacks to a server as Twilio does (form body, <c>X-Twilio-Signature</c>,
/// <c>I-Twilio-Idempotency-Token</c>) over a pool of up to <c>connections</c> kept-alive connections, opened before
/// anything is timed. A webhook is acknowledged by a 204; anything else, or no answer within 10 s, is an error.
/// </summary>
internal sealed class WebhookPoster : IDisposable
{
    private static readonly MediaTypeHeaderValue FormType = new("application/x-www-form-urlencoded");

    private readonly HttpClient _client;
    private readonly Uri _target;

    private WebhookPoster(HttpClient client, Uri target)
    {
        _client = client;
        _target = target;
    }

    /// <summary>A poster to <paramref name="server"/>'s status callback path, with <paramref name="connections"/> connections open.</summary>
    public static async Task<WebhookPoster> Open(Uri server, int connections, CancellationToken cancellationToken)
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        try
        {
            await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
            {
                using var response = await client.GetAsync(new Uri(server, "/health/live"), cancellationToken);
                response.EnsureSuccessStatusCode();
            }));
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return new WebhookPoster(client, new Uri(server, StatusBurst.Path));
    }

    /// <summary>All of <paramref name="webhooks"/>, each once, through <paramref name="concurrency"/> workers.</summary>
    public Task<LoadRun> Closed(IReadOnlyList<StatusWebhook> webhooks, int concurrency, CancellationToken cancellationToken) =>
        Load.Closed(webhooks.Count, concurrency, (i, ct) => Post(webhooks[i], ct), cancellationToken);

    /// <summary>All of <paramref name="webhooks"/>, each once, on a fixed schedule of <paramref name="perSecond"/>.</summary>
    public Task<LoadRun> Paced(IReadOnlyList<StatusWebhook> webhooks, double perSecond, CancellationToken cancellationToken) =>
        Load.Paced(webhooks.Count, perSecond, (i, ct) => Post(webhooks[i], ct), cancellationToken);

    public void Dispose() => _client.Dispose();

    /// <summary>Null when the webhook was answered 204; else its status code, or why it had no answer.</summary>
    private async Task<string?> Post(StatusWebhook webhook, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _target) { Content = new ByteArrayContent(webhook.Body) };
        request.Content.Headers.ContentType = FormType;
        request.Headers.Add("X-Twilio-Signature", webhook.Signature);
        request.Headers.Add("I-Twilio-Idempotency-Token", webhook.IdempotencyToken);
        try
        {
            using var response = await _client.SendAsync(request, cancellationToken);
            return response.StatusCode == HttpStatusCode.NoContent ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException ex)
        {
            return ex.HttpRequestError.ToString();
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "no answer in 10 s";
        }
    }
}
