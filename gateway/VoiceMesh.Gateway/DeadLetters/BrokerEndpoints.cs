namespace VoiceMesh.Gateway.DeadLetters;

/// <summary>Where the dead letters live: the broker's AMQP address, its virtual host and its management API.</summary>
internal sealed record BrokerEndpoints(Uri Amqp, string VirtualHost, Uri Management, string User, string Password)
{
    public const int DefaultManagementPort = 15672;

    /// <summary>
    /// From the amqp URI (its path names the virtual host, <c>/</c> when empty) and the configured management URL,
    /// or port 15672 on the broker's host. The management API takes the URL's credentials, else the amqp URI's,
    /// else RabbitMQ's guest user.
    /// </summary>
    public static BrokerEndpoints From(string amqpUri, string? managementUrl)
    {
        var amqp = new Uri(amqpUri);
        var path = Uri.UnescapeDataString(amqp.AbsolutePath.TrimStart('/'));
        var management = managementUrl is { Length: > 0 }
            ? new Uri(managementUrl)
            : new UriBuilder(Uri.UriSchemeHttp, amqp.Host, DefaultManagementPort).Uri;
        var (user, password) = Credentials(management.UserInfo) ?? Credentials(amqp.UserInfo) ?? ("guest", "guest");
        var withoutCredentials = new UriBuilder(management) { UserName = "", Password = "" };
        if (!withoutCredentials.Path.EndsWith('/'))
        {
            withoutCredentials.Path += "/";
        }

        return new BrokerEndpoints(amqp, path.Length == 0 ? "/" : path, withoutCredentials.Uri, user, password);
    }

    /// <summary>The management API path of the virtual host's queues, e.g. <c>api/queues/%2F</c>.</summary>
    public string QueuesPath => $"api/queues/{Uri.EscapeDataString(VirtualHost)}";

    private static (string User, string Password)? Credentials(string userInfo)
    {
        if (userInfo.Length == 0)
        {
            return null;
        }

        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? (Uri.UnescapeDataString(userInfo), "")
            : (Uri.UnescapeDataString(userInfo[..colon]), Uri.UnescapeDataString(userInfo[(colon + 1)..]));
    }
}
