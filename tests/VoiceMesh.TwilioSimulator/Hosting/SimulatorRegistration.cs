using System.Net;
using Microsoft.Extensions.Options;
using VoiceMesh.TwilioSimulator.Admin;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Conferences;
using VoiceMesh.TwilioSimulator.MediaStreams;
using VoiceMesh.TwilioSimulator.Numbers;
using VoiceMesh.TwilioSimulator.Queues;
using VoiceMesh.TwilioSimulator.Recordings;
using VoiceMesh.TwilioSimulator.Rest;
using VoiceMesh.TwilioSimulator.TwimlRuntime;
using VoiceMesh.TwilioSimulator.Webhooks;

namespace VoiceMesh.TwilioSimulator.Hosting;

public static class SimulatorRegistration
{
    /// <summary>
    /// The simulator's settings key that lets it listen beyond 127.0.0.1: only inside a container, whose network
    /// reaches nothing but the mesh (docker-compose.simulator.yml, deploy/k8s/overlays/simulator). Its admin API has no
    /// authentication.
    /// </summary>
    public const string ContainerNetworkSetting = SimulatorOptions.Section + ":ListenOnContainerNetwork";

    /// <summary>
    /// The simulator's services, options bound from section <c>Simulator</c> (with <c>TWILIO_ACCOUNT_SID</c> and
    /// <c>TWILIO_AUTH_TOKEN</c> as fallbacks), listening on 127.0.0.1 only unless <see cref="ContainerNetworkSetting"/> is true.
    /// </summary>
    public static WebApplicationBuilder AddTwilioSimulator(this WebApplicationBuilder builder)
    {
        var urls = builder.Configuration["urls"];
        if (string.IsNullOrEmpty(urls))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:5050");
        }
        else if (!builder.Configuration.GetValue<bool>(ContainerNetworkSetting) && urls.Split(';', StringSplitOptions.RemoveEmptyEntries).Any(u => !IsLoopback(u)))
        {
            throw new InvalidOperationException($"The Twilio simulator binds to 127.0.0.1 only, not {urls} (in a container, set {ContainerNetworkSetting.Replace(":", "__", StringComparison.Ordinal)}=true)");
        }

        builder.Services.AddOptions<SimulatorOptions>()
            .BindConfiguration(SimulatorOptions.Section)
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                if (configuration[$"{SimulatorOptions.Section}:AccountSid"] is null && configuration["TWILIO_ACCOUNT_SID"] is { Length: > 0 } sid)
                {
                    options.AccountSid = sid;
                }

                if (configuration[$"{SimulatorOptions.Section}:AuthToken"] is null && configuration["TWILIO_AUTH_TOKEN"] is { Length: > 0 } token)
                {
                    options.AuthToken = token;
                }
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSimulatorServices(TimeProvider.System);
        return builder;
    }

    /// <summary>The REST API under <c>/2010-04-01</c> and the admin API under <c>/_sim</c>.</summary>
    public static WebApplication MapTwilioSimulator(this WebApplication app)
    {
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/2010-04-01", StringComparison.Ordinal),
            rest => rest.UseMiddleware<RestMiddleware>());
        var accounts = app.MapGroup("/2010-04-01/Accounts/{accountSid}");
        accounts.MapCalls();
        accounts.MapNumbers();
        accounts.MapRecordings();
        accounts.MapCallRecordings();
        accounts.MapCallStreams();
        accounts.MapConferences();
        accounts.MapQueues();
        app.MapFallback("/2010-04-01/{**rest}", (HttpContext context) => TwilioError.NotFound(context.Request.Path).ToResult());
        app.MapSimulatorAdmin();
        return app;
    }

    internal static IServiceCollection AddSimulatorServices(this IServiceCollection services, TimeProvider clock)
    {
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SimulatorOptions>>().Value);
        services.AddSingleton(_ => new VirtualScheduler(clock));
        services.AddSingleton<OutcomeScript>();
        services.AddSingleton<FaultState>();
        services.AddSingleton<RequestLog>();
        services.AddSingleton<SimulatorAccounts>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<CallPricing>();
        services.AddSingleton<CallEngine>();
        services.AddSingleton<NanpGeography>();
        services.AddSingleton<NumberInventory>();
        services.AddSingleton<RecordingStore>();
        services.AddSingleton<CallRecordings>();
        services.AddSingleton<MediaDownloadLog>();
        services.AddSingleton<RecordingMediaServer>();
        services.AddSingleton<ConferenceEngine>();
        services.AddSingleton<CallStreams>();
        services.AddSingleton<TwimlEngine>();
        services.AddSingleton(sp => new SimulatorControl(
            sp.GetRequiredService<OutcomeScript>(),
            sp.GetRequiredService<FaultState>(),
            sp.GetRequiredService<WebhookDispatcher>(),
            sp.GetRequiredService<RequestLog>(),
            sp.GetRequiredService<SimulatorAccounts>(),
            sp.GetRequiredService<TwimlEngine>(),
            sp.GetRequiredService<RecordingStore>(),
            sp.GetRequiredService<MediaDownloadLog>(),
            sp.GetRequiredService<ConferenceEngine>(),
            sp.GetRequiredService<NumberInventory>(),
            sp.GetRequiredService<CallPricing>(),
            sp.GetRequiredService<CallEngine>(),
            sp.GetRequiredService<SimulatorOptions>()));
        return services;
    }

    private static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback && (uri.Host == "localhost" || IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip));
    }
}
