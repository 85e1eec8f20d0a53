using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace VoiceMesh.ServiceDefaults;

/// <summary>Hosting every VoiceMesh process shares: configuration names, logging, telemetry, health.</summary>
public static class HostingExtensions
{
    /// <summary>Health checks with this tag must pass before a process takes traffic.</summary>
    public const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.Configuration.AddTwilioEnvironmentNames();

        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.IncludeScopes = true;
        });

        // Every line written inside a trace carries its trace and span ids (a scope of the line), so a log line leads
        // to its trace in Jaeger and back.
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);

        builder.AddVoiceMeshTelemetry();
        builder.Services.AddLogRedaction(builder.Configuration);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.TryAddSingleton<FailureClassification>();
        builder.Services.AddExceptionHandler<DependencyOutageHandler>();
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), tags: ["live"]);
        builder.Services.AddApiDescription();
        return builder;
    }

    /// <summary>A service's request pipeline: problem details for errors and status codes, then the health endpoints.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapDefaultEndpoints();
        return app;
    }

    /// <summary>
    /// <c>/health/live</c> answers while the process runs; <c>/health/ready</c> checks its broker and database;
    /// <c>/openapi/v1.json</c> describes the process's HTTP API (<see cref="ApiDescription"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapDefaultEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live") });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) });
        endpoints.MapOpenApi(ApiDescription.RoutePattern);
        return endpoints;
    }

    /// <summary>Binds an options class to its section, validates its data annotations, and fails start-up when invalid.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services)
        where T : class, IConfigurationOptions
        => services.AddOptions<T>().BindConfiguration(T.Section).ValidateDataAnnotations().ValidateOnStart();
}
