using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Twilio.Security;

namespace VoiceMesh.TwilioSimulator.Tests;

/// <summary>One webhook as the receiver saw it.</summary>
internal sealed record ReceivedWebhook(
    string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Form, string? Signature, string? IdempotencyToken,
    bool SignatureValid)
{
    public string this[string name] => Form[name];
}

/// <summary>A Media Streams WebSocket the receiver accepted: whether its signature held and the text messages it sent.</summary>
internal sealed class ReceivedSocket(string path, bool signatureValid)
{
    private readonly ConcurrentQueue<string> _messages = new();

    public string Path { get; } = path;

    public bool SignatureValid { get; } = signatureValid;

    public IReadOnlyList<string> Messages => [.. _messages];

    /// <summary>The messages' <c>event</c> values, in order.</summary>
    public IReadOnlyList<string> Events => [.. _messages.Select(m => System.Text.Json.JsonDocument.Parse(m).RootElement.GetProperty("event").GetString()!)];

    public bool Closed { get; set; }

    internal void Add(string message) => _messages.Enqueue(message);
}

/// <summary>What the receiver answers on a served path: a status, a Content-Type and a body.</summary>
internal sealed record Reply(int Status, string? ContentType, string? Body)
{
    public static Reply Xml(string twiml) => new(StatusCodes.Status200OK, "text/xml", twiml);
}

/// <summary>
/// A minimal Kestrel app on a free loopback port standing in for VoiceMesh's gateway behind a load balancer: it
/// rebuilds the public URL from <see cref="PublicBaseUrl"/> and the raw request target, checks <c>X-Twilio-Signature</c>
/// with the SDK's <see cref="RequestValidator"/>, answers 403 to a bad one and records everything.
/// </summary>
internal sealed class CallbackReceiver : IAsyncDisposable
{
    public const string PublicBaseUrl = "https://voice.example.com";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly RequestValidator _validator;
    private readonly ConcurrentDictionary<string, Func<ReceivedWebhook, Reply>> _served = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedSocket> _sockets = new();
    private readonly CancellationTokenSource _closeSockets = new();

    private CallbackReceiver(WebApplication app, string authToken)
    {
        _app = app;
        _validator = new RequestValidator(authToken);
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>Decides the status to answer (and may wait first); 204 when unset.</summary>
    public Func<ReceivedWebhook, Task<int>>? Respond { get; set; }

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>Media Streams WebSockets accepted so far, oldest first.</summary>
    public IReadOnlyList<ReceivedSocket> Sockets => [.. _sockets];

    /// <summary>Closes every open WebSocket from the server side (normal closure), as an app ends a <c>&lt;Connect&gt;</c> stream.</summary>
    public Task CloseSocketsAsync() => _closeSockets.CancelAsync();

    /// <summary>Answers requests to <paramref name="path"/> (the query is ignored) with this TwiML.</summary>
    public void Serve(string path, string twiml) => _served[path] = _ => Reply.Xml(twiml);

    /// <summary>Answers requests to <paramref name="path"/> (the query is ignored) with what <paramref name="reply"/> returns.</summary>
    public void Serve(string path, Func<ReceivedWebhook, Reply> reply) => _served[path] = reply;

    /// <summary>The requests that reached <paramref name="path"/> (the query is ignored), oldest first.</summary>
    public IReadOnlyList<ReceivedWebhook> At(string path) => [.. _received.Where(r => r.PathAndQuery.Split('?')[0] == path)];

    public static async Task<CallbackReceiver> StartAsync(string authToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var receiver = new CallbackReceiver(app, authToken);
        app.UseWebSockets();
        app.Map("/{**path}", receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Address = new Uri(address);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _closeSockets.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _closeSockets.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        if (context.WebSockets.IsWebSocketRequest)
        {
            await AcceptSocketAsync(context, target);
            return;
        }

        var form = context.Request.HasFormContentType
            ? (await context.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        var signature = context.Request.Headers["X-Twilio-Signature"].ToString();
        var valid = signature.Length > 0 && _validator.Validate(PublicBaseUrl + target, form, signature);
        var webhook = new ReceivedWebhook(
            context.Request.Method, target, form, signature, context.Request.Headers["I-Twilio-Idempotency-Token"].ToString(), valid);
        _received.Enqueue(webhook);
        if (valid && _served.TryGetValue(target.Split('?')[0], out var serve))
        {
            var reply = serve(webhook);
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = reply.ContentType;
            if (reply.Body is { } body)
            {
                await context.Response.WriteAsync(body);
            }

            return;
        }

        context.Response.StatusCode = !valid
            ? StatusCodes.Status403Forbidden
            : Respond is { } respond ? await respond(webhook) : StatusCodes.Status204NoContent;
    }

    /// <summary>Records a Media Streams socket (signed over the <c>wss://</c> URL) until the peer closes it or <see cref="CloseSocketsAsync"/>.</summary>
    private async Task AcceptSocketAsync(HttpContext context, string target)
    {
        var signature = context.Request.Headers["X-Twilio-Signature"].ToString();
        var valid = _validator.Validate(PublicBaseUrl.Replace("https://", "wss://", StringComparison.Ordinal) + target, new Dictionary<string, string>(), signature);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var received = new ReceivedSocket(target, valid);
        _sockets.Enqueue(received);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var count = 0;
                System.Net.WebSockets.ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(count), _closeSockets.Token);
                    count += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
                {
                    break;
                }

                received.Add(System.Text.Encoding.UTF8.GetString(buffer, 0, count));
            }
        }
        catch (OperationCanceledException)
        {
            using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", closing.Token);
        }
        catch (System.Net.WebSockets.WebSocketException)
        {
            received.Closed = true;
            return;
        }

        received.Closed = true;
    }
}
