using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Storage;

/// <summary>
/// Where archived recordings are kept: the backend <c>BlobStorage:Backend</c> names (filesystem, azure or s3), and only
/// that one, with its settings validated at start-up (<see cref="BlobStorageOptionsValidator"/>).
/// </summary>
internal static class StorageRegistration
{
    public static IHostApplicationBuilder AddRecordingStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRecordingStorage(builder.Configuration);
        return builder;
    }

    public static IServiceCollection AddRecordingStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<BlobStorageOptions>();
        services.AddSingleton<IValidateOptions<BlobStorageOptions>, BlobStorageOptionsValidator>();
        services.AddSingleton<IFailureClassifier, StorageFailureClassifier>();
        switch (ChosenBackend(configuration))
        {
            case BlobStorageBackend.Azure:
                services.AddSingleton(provider => AzureContainer(provider.GetRequiredService<IOptions<BlobStorageOptions>>().Value.Azure));
                services.AddSingleton<IRecordingStorage, AzureBlobRecordingStorage>();
                break;
            case BlobStorageBackend.S3:
                services.AddSingleton<IAmazonS3>(provider => S3Client(provider.GetRequiredService<IOptions<BlobStorageOptions>>().Value.S3));
                services.AddSingleton<IRecordingStorage, S3RecordingStorage>();
                break;
            default:
                services.AddSingleton<IRecordingStorage, FileSystemRecordingStorage>();
                break;
        }

        return services;
    }

    /// <summary><c>BlobStorage:Backend</c>, case-insensitive; unset means the filesystem.</summary>
    public static BlobStorageBackend ChosenBackend(IConfiguration configuration)
    {
        var key = $"{BlobStorageOptions.Section}:{nameof(BlobStorageOptions.Backend)}";
        return configuration[key] switch
        {
            null or "" => BlobStorageBackend.FileSystem,
            var value when Enum.TryParse<BlobStorageBackend>(value, ignoreCase: true, out var backend) && Enum.IsDefined(backend)
                && !char.IsAsciiDigit(value[0]) => backend,
            var value => throw new OptionsValidationException(
                nameof(BlobStorageOptions), typeof(BlobStorageOptions), [$"{key} '{value}' is not one of filesystem, azure, s3."]),
        };
    }

    private static BlobContainerClient AzureContainer(AzureBlobStorageOptions azure) =>
        new(azure.ConnectionString, azure.Container, new BlobClientOptions { EncryptionScope = azure.EncryptionScope is { Length: > 0 } scope ? scope : null });

    private static AmazonS3Client S3Client(S3StorageOptions s3)
    {
        var config = new AmazonS3Config { ForcePathStyle = s3.ForcePathStyle };
        if (s3.ServiceUrl is { Length: > 0 } serviceUrl)
        {
            config.ServiceURL = serviceUrl;
            config.AuthenticationRegion = s3.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(s3.Region);
        }

        var client = s3.AccessKey is { Length: > 0 } accessKey
            ? new AmazonS3Client(new BasicAWSCredentials(accessKey, s3.SecretKey), config)
            : new AmazonS3Client(config);
        client.BeforeRequestEvent += S3CopySource.Rewrite;
        return client;
    }
}
