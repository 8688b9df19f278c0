package bench

// webhookOursLibs holds this SDK's webhook entries once the Webhook lands.
var webhookOursLibs []webhookLib
