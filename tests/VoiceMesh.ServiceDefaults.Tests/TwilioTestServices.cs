using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace VoiceMesh.ServiceDefaults.Tests;

/// <summary>A service collection with what the Twilio client needs: a clock and the account's configuration.</summary>
internal static class TwilioTestServices
{
    public static ServiceCollection On(TimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Twilio:AccountSid"] = "AC00000000000000000000000000000001",
            ["Twilio:AuthToken"] = "token",
        }).Build());
        return services;
    }
}
