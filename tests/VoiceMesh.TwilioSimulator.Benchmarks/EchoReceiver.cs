using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VoiceMesh.TwilioSimulator.Benchmarks;

/// <summary>A bare Kestrel app on 127.0.0.1 that reads each form and answers 204: the webhook receiver and the baseline.</summary>
internal sealed class EchoReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _client = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 });
    private int _count;

    private EchoReceiver(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    public int Count => Volatile.Read(ref _count);

    public static async Task<EchoReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var receiver = new EchoReceiver(app);
        app.Map("/{**path}", async (HttpContext context) =>
        {
            await context.Request.ReadFormAsync();
            Interlocked.Increment(ref receiver._count);
            return Results.NoContent();
        });
        await app.StartAsync();
        receiver.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    public void Reset() => Volatile.Write(ref _count, 0);

    /// <summary>The baseline: <paramref name="total"/> form POSTs from one HttpClient, <paramref name="concurrency"/> in flight.</summary>
    public async Task PostManyAsync(IReadOnlyList<KeyValuePair<string, string>> form, int total, int concurrency)
    {
        var uri = new Uri(Address, "/twilio/voice/status");
        await Parallel.ForEachAsync(Enumerable.Range(0, total), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, ct) =>
        {
            using var content = new FormUrlEncodedContent(form);
            using var response = await _client.PostAsync(uri, content, ct);
            response.EnsureSuccessStatusCode();
        });
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
