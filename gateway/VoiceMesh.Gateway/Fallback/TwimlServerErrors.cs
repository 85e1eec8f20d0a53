using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;
using VoiceMesh.Gateway.Routing;

namespace VoiceMesh.Gateway.Fallback;

/// <summary>
/// On TwiML routes, a 5xx answer of Calls is not copied to the caller: its body is held back so that
/// <see cref="TwimlFallbackMiddleware"/>, finding the response not started, can answer the fallback TwiML instead.
/// </summary>
internal sealed class TwimlServerErrors : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        if (ManifestRoutes.IsTwiml(context.Route))
        {
            context.AddResponseTransform(transform =>
            {
                if (transform.ProxyResponse is { } response && (int)response.StatusCode >= StatusCodes.Status500InternalServerError)
                {
                    transform.SuppressResponseBody = true;
                }

                return ValueTask.CompletedTask;
            });
        }
    }
}
