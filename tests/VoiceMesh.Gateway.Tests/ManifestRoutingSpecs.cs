using Microsoft.Extensions.DependencyInjection;
using VoiceMesh.Gateway.Routing;
using VoiceMesh.ServiceDefaults.Hosting;
using VoiceMesh.Testing;
using Yarp.ReverseProxy.Configuration;

namespace VoiceMesh.Gateway.Tests;

/// <summary>The gateway routes to exactly what the service manifest names.</summary>
public sealed class ManifestRoutingSpecs
{
    private static readonly ServiceManifest Manifest = ServiceManifest.Load(RepositoryPaths.Script("deploy/mesh.json"));

    [Fact]
    public void Every_api_prefix_of_every_service_is_routed_behind_the_api_key_to_its_manifest_port()
    {
        using var app = new GatewayApplication();
        var config = app.Services.GetRequiredService<IProxyConfigProvider>().GetConfig();

        var expected = Manifest.Services.SelectMany(s => s.Api.Select(prefix => (s.Name, Path: prefix + "/{**rest}"))).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(
            expected.Order(),
            config.Routes.Where(r => r.AuthorizationPolicy == "api").Select(r => (r.ClusterId!, r.Match.Path!)).Order());
        foreach (var service in Manifest.Services)
        {
            var cluster = Assert.Single(config.Clusters, c => c.ClusterId == service.Name);
            Assert.Equal($"http://127.0.0.1:{service.Port}/", Assert.Single(cluster.Destinations!.Values).Address);
        }

        Assert.DoesNotContain(config.Routes, r => r.AuthorizationPolicy != "api" && r.Match.Methods is null);
    }

    [Fact]
    public void A_service_address_set_in_the_environment_wins_over_the_manifest_default()
    {
        using var app = new GatewayApplication().With("ReverseProxy:Clusters:calls:Destinations:primary:Address", "http://calls.internal:9000/");
        var config = app.Services.GetRequiredService<IProxyConfigProvider>().GetConfig();

        Assert.Equal("http://calls.internal:9000/", Assert.Single(config.Clusters, c => c.ClusterId == "calls").Destinations!["primary"].Address);
    }

    [Fact]
    public void Twiml_paths_become_post_only_routes_without_the_api_key_and_a_new_service_needs_only_its_entry()
    {
        var manifest = ServiceManifest.Parse("""
            {"processes":[
              {"name":"gateway","role":"gateway","project":"gateway/VoiceMesh.Gateway","port":1,"health":{"live":"/l","ready":"/r"}},
              {"name":"rooms","role":"service","project":"services/VoiceMesh.Rooms","port":2,"api":["/api/rooms"],"twiml":["/twilio/rooms/join"],"health":{"live":"/l","ready":"/r"}}
            ]}
            """);

        var settings = ManifestRoutes.Settings(manifest);

        Assert.Equal("rooms", settings["ReverseProxy:Routes:rooms-twiml-0:ClusterId"]);
        Assert.Equal("/twilio/rooms/join", settings["ReverseProxy:Routes:rooms-twiml-0:Match:Path"]);
        Assert.Equal("POST", settings["ReverseProxy:Routes:rooms-twiml-0:Match:Methods:0"]);
        Assert.False(settings.ContainsKey("ReverseProxy:Routes:rooms-twiml-0:AuthorizationPolicy"));
        Assert.Equal("true", settings["ReverseProxy:Routes:rooms-twiml-0:Metadata:" + ManifestRoutes.TwimlMetadata]);
        Assert.False(settings.ContainsKey("ReverseProxy:Routes:rooms-api-0:Metadata:" + ManifestRoutes.TwimlMetadata));
        Assert.Equal("/api/rooms/{**rest}", settings["ReverseProxy:Routes:rooms-api-0:Match:Path"]);
        Assert.Equal("http://127.0.0.1:2/", settings["ReverseProxy:Clusters:rooms:Destinations:primary:Address"]);
    }

    [Fact]
    public void A_manifest_that_gives_one_port_to_two_processes_is_refused()
    {
        var error = Assert.Throws<InvalidDataException>(() => ServiceManifest.Parse("""
            {"processes":[
              {"name":"a","role":"gateway","project":"gateway/A","port":5,"health":{"live":"/l","ready":"/r"}},
              {"name":"b","role":"service","project":"services/B","port":5,"health":{"live":"/l","ready":"/r"}}
            ]}
            """));

        Assert.Contains("port 5", error.Message, StringComparison.Ordinal);
    }
}
