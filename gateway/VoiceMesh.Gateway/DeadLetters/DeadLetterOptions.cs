using System.ComponentModel.DataAnnotations;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.DeadLetters;

/// <summary>The operator API over the broker's <c>_error</c> queues (<see cref="DeadLetterEndpoints"/>).</summary>
public sealed class DeadLetterOptions : IConfigurationOptions
{
    public static string Section => "DeadLetters";

    /// <summary>
    /// RabbitMQ's management API, which lists the queues (AMQP cannot). Unset: port 15672 on the host of
    /// <c>ConnectionStrings:RabbitMq</c>, with its user and password.
    /// </summary>
    [Url(ErrorMessage = "DeadLetters:ManagementUrl must be an absolute http(s) URL, e.g. http://rabbitmq:15672/.")]
    public string? ManagementUrl { get; set; }

    /// <summary>The most messages one read or replay goes through; a longer queue is replayed in several calls.</summary>
    [Range(1, 65535)]
    public int MaxScanned { get; set; } = 10_000;

    /// <summary>How long a read or replay waits for the next message before it takes the queue as read to the end.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan DeliveryWait { get; set; } = TimeSpan.FromSeconds(2);
}
