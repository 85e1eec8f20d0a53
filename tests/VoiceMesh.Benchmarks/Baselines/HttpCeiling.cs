using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks.Baselines;

/// <summary>
/// The HTTP ceiling: a bare Kestrel in the benchmark's process, on a loopback port of its own, that reads a status
/// callback's form and answers 204, as the gateway does before it validates and publishes. Posted the same bodies by
/// the same client at the same concurrency, it is what HTTP alone costs on this machine.
/// </summary>
internal sealed class HttpCeiling : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HttpCeiling(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<HttpCeiling> Start(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/health/live", () => TypedResults.Ok());
        app.MapPost(StatusBurst.Path, async (HttpRequest request) =>
        {
            await request.ReadFormAsync(request.HttpContext.RequestAborted);
            return TypedResults.NoContent();
        });
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new HttpCeiling(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
