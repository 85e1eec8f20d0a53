using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.Twilio;

internal static class TwilioRegistration
{
    public static IHostApplicationBuilder AddTwilioWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<GatewayOptions>();
        builder.Services.AddValidatedOptions<TwilioOptions>();
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayAccountsValidator>();
        builder.Services.AddSingleton<TwilioAccounts>();
        builder.Services.AddSingleton<TwilioSignatureValidator>();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton<WebhookPublisher>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IHttpContextFactory, CallbackTraceContext>());
        return builder;
    }

    /// <summary>Every <c>/twilio/*</c> request passes <see cref="TwilioWebhookMiddleware"/> before anything else.</summary>
    public static IApplicationBuilder UseTwilioWebhookValidation(this IApplicationBuilder app) =>
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/twilio"),
            branch => branch.UseMiddleware<TwilioWebhookMiddleware>());
}
