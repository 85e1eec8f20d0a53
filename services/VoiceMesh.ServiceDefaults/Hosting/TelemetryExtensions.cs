using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace VoiceMesh.ServiceDefaults;

internal static class TelemetryExtensions
{
    /// <summary>ActivitySource and Meter names of the libraries every service uses.</summary>
    private static readonly string[] Sources = ["MassTransit", "Marten", "Npgsql", VoiceMeshTelemetry.Name];

    public static void AddVoiceMeshTelemetry(this IHostApplicationBuilder builder)
    {
        // ASP.NET Core 10 tags its own request activity with the HTTP semantic conventions when this switch is off (the
        // default from ASP.NET Core 11); the ASP.NET Core instrumentation then leaves those tags to it instead of setting
        // them a second time on every request. Read when the host starts, so it is set here, before the host is built.
        AppContext.SetSwitch("Microsoft.AspNetCore.Hosting.SuppressActivityOpenTelemetryData", false);
        builder.Logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
        });

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Environment.ApplicationName))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = ctx => !ctx.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddSource(Sources))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(Sources));

        // The standard OTEL_* variables configure the exporter; without an endpoint nothing is exported.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }
    }
}
