using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace VoiceMesh.Gateway.Tests;

/// <summary>
/// A service behind the gateway on a free loopback port: answers every request 200 with its method and path and
/// whether an <c>X-Api-Key</c> header reached it.
/// </summary>
internal sealed class EchoBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoBackend(WebApplication app) => _app = app;

    public string Url => _app.Urls.Single();

    public static async Task<EchoBackend> Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsync(
            $"{context.Request.Method} {context.Request.Path} key={context.Request.Headers.ContainsKey("X-Api-Key")}"));
        await app.StartAsync();
        return new EchoBackend(app);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
