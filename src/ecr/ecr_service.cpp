#include "ecr/ecr_service.hpp"

#include "ecr/auth.hpp"
#include "ecr/images.hpp"
#include "ecr/layers.hpp"
#include "ecr/lifecycle_policies.hpp"
#include "ecr/registry_settings.hpp"
#include "ecr/repositories.hpp"
#include "ecr/repository_policies.hpp"
#include "ecr/tags.hpp"

namespace ecsbox::ecr {

const protocol::ServiceSpec<EcrContext>& service_spec() {
    // ECR has no "unsupported operation" error of its own; ValidationException is the model's
    // general refusal of a request, and the message names the operation.
    static const protocol::ServiceSpec<EcrContext> spec{
        "ecr",
        {"InvalidParameterException", "ValidationException"},
        {
            {"CreateRepository", create_repository},
            {"DescribeRepositories", describe_repositories},
            {"DeleteRepository", delete_repository},
            {"PutImageTagMutability", put_image_tag_mutability},
            {"PutImageScanningConfiguration", put_image_scanning_configuration},
            {"SetRepositoryPolicy", set_repository_policy},
            {"GetRepositoryPolicy", get_repository_policy},
            {"DeleteRepositoryPolicy", delete_repository_policy},
            {"TagResource", tag_resource},
            {"UntagResource", untag_resource},
            {"ListTagsForResource", list_tags_for_resource},
            {"DescribeRegistry", describe_registry},
            {"GetAuthorizationToken", get_authorization_token},
            {"PutLifecyclePolicy", put_lifecycle_policy},
            {"GetLifecyclePolicy", get_lifecycle_policy},
            {"DeleteLifecyclePolicy", delete_lifecycle_policy},
            {"StartLifecyclePolicyPreview", start_lifecycle_policy_preview},
            {"GetLifecyclePolicyPreview", get_lifecycle_policy_preview},
            {"DescribeImages", describe_images},
            {"ListImages", list_images},
            {"BatchGetImage", batch_get_image},
            {"BatchDeleteImage", batch_delete_image},
            {"PutImage", put_image},
            {"BatchCheckLayerAvailability", batch_check_layer_availability},
            {"InitiateLayerUpload", initiate_layer_upload},
            {"UploadLayerPart", upload_layer_part},
            {"CompleteLayerUpload", complete_layer_upload},
            {"GetDownloadUrlForLayer", get_download_url_for_layer},
        },
    };
    return spec;
}

}  // namespace ecsbox::ecr
