using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.DeadLetters;

internal static class DeadLetterRegistration
{
    /// <summary>The dead-letter API's broker access: AMQP from <c>ConnectionStrings:RabbitMq</c>, the management API beside it.</summary>
    public static IHostApplicationBuilder AddDeadLetters(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<DeadLetterOptions>();
        builder.Services.AddSingleton(provider => BrokerEndpoints.From(
            builder.Configuration.GetConnectionString(MessagingExtensions.ConnectionName)!,
            provider.GetRequiredService<IOptions<DeadLetterOptions>>().Value.ManagementUrl));
        builder.Services.AddHttpClient(DeadLetterQueues.ManagementClient, (provider, client) =>
        {
            var broker = provider.GetRequiredService<BrokerEndpoints>();
            client.BaseAddress = broker.Management;
            client.Timeout = TimeSpan.FromSeconds(10);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{broker.User}:{broker.Password}")));
        });
        builder.Services.AddSingleton<DeadLetterQueues>();
        return builder;
    }

    public static IEndpointRouteBuilder MapDeadLetters(this IEndpointRouteBuilder endpoints) => endpoints.MapDeadLetterEndpoints();
}
