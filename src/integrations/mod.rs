//! Integrations: the registry of types and each type's folder.
